/**
 * Getting models onto workers: fetching a checkpoint folder from any Hadoop URI to local disk once
 * per JVM, and sharing the frozen base weights between the task threads of an executor.
 */
package org.lorafleet.orchestrator.model;
