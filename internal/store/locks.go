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
	// retiredAuditLock serialised every audit append when the trail was
	// one chain; the chains' locks (auditChainLocks) replaced it.
	retiredAuditLock int64 = 0x5167_6e65_7402
	// CheckpointLock keeps one audit checkpoint run at a time.
	CheckpointLock    int64 = 0x5167_6e65_7403
	retiredDigestLock int64 = 0x5167_6e65_7404
)

// auditChainLocks is the first of audit.Chains consecutive keys, one per
// audit chain (auditChainLocks + chain), each held by a transaction from
// its first audit append to its commit. The range lies above every single
// key here, and every key here is above 2^32, so none can meet a key that
// hashtext() gives (an int4, as the policy locks use).
const auditChainLocks int64 = 0x5167_6e65_7500
