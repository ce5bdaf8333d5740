/**
 * The parameter server's core, independent of gRPC: {@link
 * org.lorafleet.ps.server.ParameterServerCore} (state machine, update rules, waiters, snapshots),
 * its {@link org.lorafleet.ps.server.ServerJobSpec}, the local-sgd averaging ({@link
 * org.lorafleet.ps.server.DeltaAveraging}) and validation. The sync rule runs {@link
 * org.lorafleet.math.optim.MeanGradientStep}, the same code as single-process training.
 */
package org.lorafleet.ps.server;
