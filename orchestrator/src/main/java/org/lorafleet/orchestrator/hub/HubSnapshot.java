package org.lorafleet.orchestrator.hub;

import java.nio.file.Path;

/**
 * A model revision present in the local Hub cache.
 *
 * @param dir the snapshot folder ({@code <cache>/models--org--name/snapshots/<commit>}), loadable as a model folder
 * @param repo the repo id, {@code org/name}
 * @param revision the revision asked for (branch, tag or commit)
 * @param commit the 40-hex commit the revision resolved to
 */
public record HubSnapshot(Path dir, String repo, String revision, String commit) {}
