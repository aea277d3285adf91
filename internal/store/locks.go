package store

// Advisory lock keys, all in one place so that no two uses share one: a
// job that held the audit trail's key would stop every audited write in
// every process for as long as it ran (the daily digest once did).
// Values are fixed, not iota: a rolling upgrade runs old and new
// processes side by side, and they must agree on each key.
const (
	// retiredReconcileLock and retiredDigestLock kept one reconciliation
	// and one digest at a time before those jobs became Temporal Schedules;
	// an older process may still take them, so they are never reused.
	retiredReconcileLock int64 = 0x5167_6e65_7401
	// auditLock serialises audit appends so each row chains to the one
	// before (a transaction lock, held for the append only).
	auditLock int64 = 0x5167_6e65_7402
	// CheckpointLock keeps one audit checkpoint run at a time.
	CheckpointLock    int64 = 0x5167_6e65_7403
	retiredDigestLock int64 = 0x5167_6e65_7404
)
