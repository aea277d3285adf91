package store

// Advisory lock keys, all in one place so that no two uses share one: a
// job that held the audit trail's key would stop every audited write in
// every process for as long as it ran (the daily digest once did).
// Values are fixed, not iota: a rolling upgrade runs old and new
// processes side by side, and they must agree on each key.
const (
	// ReconcileLock keeps one nightly reconciliation at a time.
	ReconcileLock int64 = 0x5167_6e65_7401
	// auditLock serialises audit appends so each row chains to the one
	// before (a transaction lock, held for the append only).
	auditLock int64 = 0x5167_6e65_7402
	// CheckpointLock keeps one audit checkpoint run at a time.
	CheckpointLock int64 = 0x5167_6e65_7403
	// DigestLock keeps one daily digest run at a time.
	DigestLock int64 = 0x5167_6e65_7404
)
