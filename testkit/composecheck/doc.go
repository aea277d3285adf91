// Package composecheck holds the test that keeps docker-compose.yml and the
// Dockerfile in step with the signet binary's configuration. No container
// engine runs in CI, so the file is checked by reading it.
package composecheck
