/** The loopback benchmark of the parameter server, run by {@code bench/ps-bench.sh}. */
package org.lorafleet.ps.bench;
