-- Approve from DingTalk and WeCom: a user's identity on each platform
-- (the user ID the platform's callback names), and the callbacks already
-- taken, so a replayed one is refused.
ALTER TABLE users
    ADD COLUMN dingtalk_user_id text UNIQUE,
    ADD COLUMN wecom_user_id text UNIQUE;

CREATE TABLE im_callbacks (
    platform    text NOT NULL CHECK (platform IN ('dingtalk', 'wecom')),
    -- The platform's message or callback ID (see internal/imcallback).
    callback_id text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, callback_id)
);
