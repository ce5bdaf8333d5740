/**
 * {@link org.lorafleet.ps.snapshot.ServerSnapshot}: the consistent cut of a parameter server
 * (weights, optimizer state, version, per-worker progress) that the orchestrator writes into
 * checkpoints and that a server restores to continue bit-for-bit. Plain values, no I/O.
 */
package org.lorafleet.ps.snapshot;
