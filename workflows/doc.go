// Package workflows holds Signet's Temporal workflows. Workflow code here is
// deterministic: no I/O, no wall clock, no randomness, no map iteration that
// decides anything. Every side effect is an activity from package activities.
package workflows
