// Package domain holds Signet's vocabulary: contract statuses, roles, money,
// contract numbers and the approval rules that every other package shares.
// It has no dependencies on Temporal or PostgreSQL so workflows may use it.
package domain
