-- Separation of duties: who drafted a contract (never an approver of its
-- rounds, like its owner), revocable delegations, and the open tasks that
-- grant their holders read access to a contract.

-- The drafter is whoever created the draft. Contracts drafted before this
-- migration were created by their owner, the only way to draft one then.
ALTER TABLE contracts ADD COLUMN created_by text REFERENCES users (id);
UPDATE contracts SET created_by = owner_id WHERE created_by IS NULL;

-- A revoked delegation redirects no new task; its row stays as the record.
ALTER TABLE delegations
    ADD COLUMN revoked_at timestamptz,
    ADD CONSTRAINT delegations_revoked_after_created CHECK (revoked_at IS NULL OR revoked_at >= created_at);

-- "Does this user hold an open task on this contract?" is asked on every
-- read by someone outside the owner's team.
CREATE INDEX approval_tasks_open_holder_idx ON approval_tasks (contract_number, assignee_id) WHERE status = 'open';
