/** Test fixtures: a small least-squares problem with LoRA-shaped parameters, a gRPC harness, certificates. */
package org.lorafleet.ps.testing;
