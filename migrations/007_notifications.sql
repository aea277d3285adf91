-- Notifications: where each person wants to hear about things, an outbox
-- written in the same transaction as the event it announces, and the
-- reconciliation reports the metrics endpoint reads.

-- A user without a row is mailed at users.email when SMTP is configured;
-- a row with no targets means "tell me nothing".
CREATE TABLE notification_settings (
    user_id    text PRIMARY KEY REFERENCES users (id),
    targets    jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row is one delivery of one notice to one target. The key is derived
-- from the event, so writing it again (an activity retried) is a no-op,
-- and it travels with the message so receivers can drop a repeat. The ID
-- names the row in the API.
CREATE TABLE notification_outbox (
    key             text PRIMARY KEY,
    id              uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    user_id         text NOT NULL REFERENCES users (id),
    kind            text NOT NULL,
    channel         text NOT NULL CHECK (channel IN ('email', 'webhook', 'wecom', 'dingtalk')),
    address         text NOT NULL,
    secret          text NOT NULL DEFAULT '',
    message         jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_until     timestamptz,
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX notification_outbox_dead ON notification_outbox (created_at) WHERE status = 'dead';
CREATE INDEX notification_outbox_user ON notification_outbox (user_id, created_at);

CREATE TABLE reconciliation_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    checked     int NOT NULL,
    drift       jsonb NOT NULL
);
