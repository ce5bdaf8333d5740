package org.lorafleet.ps.api;

/**
 * The server's answer to an accepted push.
 *
 * @param step the step (or round, or base version in async) the push was for
 * @param duplicate true if the same worker had already pushed for this step and the push was
 *     therefore ignored (a retry); the first push counts, exactly once
 * @param applied true if this push completed the step and the update was applied
 * @param version the current version after the push
 * @param pendingWorkers pushes held for the current step after this one (0 once applied)
 */
public record PushAck(long step, boolean duplicate, boolean applied, long version, int pendingWorkers) {}
