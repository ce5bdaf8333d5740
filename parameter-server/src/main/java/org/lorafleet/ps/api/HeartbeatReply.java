package org.lorafleet.ps.api;

/** The server's answer to a heartbeat: current version and pushes held for the current step. */
public record HeartbeatReply(long version, int pendingWorkers) {}
