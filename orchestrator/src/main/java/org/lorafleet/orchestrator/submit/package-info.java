/**
 * The application jar's entry point under {@code spark-submit} (its manifest's Main-Class), for every master
 * and deploy mode, YARN cluster mode included.
 */
package org.lorafleet.orchestrator.submit;
