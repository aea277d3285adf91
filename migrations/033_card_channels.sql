-- Approval cards sent through the DingTalk and WeCom apps (issue 20 part
-- 4): a task notice to a user with a platform identity is one outbox row
-- on the platform's card channel, addressed to that user ID. The robot
-- channels (a group robot's webhook URL) stay as they are.
ALTER TABLE notification_outbox DROP CONSTRAINT notification_outbox_channel_check,
    ADD CONSTRAINT notification_outbox_channel_check
        CHECK (channel IN ('email', 'webhook', 'wecom', 'dingtalk', 'dingtalk_card', 'wecom_card'));
