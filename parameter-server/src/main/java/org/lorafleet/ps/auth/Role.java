package org.lorafleet.ps.auth;

/** What an authenticated caller may do. */
public enum Role {
  /** Training calls: register, push, pull, waits, heartbeats, outcomes, metrics. */
  WORKER,
  /** Everything a worker may, plus snapshot and restore (where the server allows admin calls at all). */
  ADMIN
}
