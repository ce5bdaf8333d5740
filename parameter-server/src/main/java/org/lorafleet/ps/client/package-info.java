/**
 * {@link org.lorafleet.ps.client.ParameterServerClient}, the one interface workers and the driver
 * use, with an in-process implementation (single-process training, no network, same code path)
 * and a gRPC implementation. Both throw {@link org.lorafleet.ps.api.PsException}.
 */
package org.lorafleet.ps.client;
