-- In-app notices: every notice a user is sent is also kept here for the
-- console's list and GET /v1/me/notices, whatever channels they chose
-- (or none). Written in the transaction of the event it announces, keyed
-- by the notice, so writing it again changes nothing.
CREATE TABLE user_notices (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users (id),
    key        text NOT NULL,
    kind       text NOT NULL,
    subject    text NOT NULL,
    body       text NOT NULL,
    link       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    read_at    timestamptz,
    UNIQUE (user_id, key)
);
CREATE INDEX user_notices_list ON user_notices (user_id, id DESC);
CREATE INDEX user_notices_unread ON user_notices (user_id) WHERE read_at IS NULL;
