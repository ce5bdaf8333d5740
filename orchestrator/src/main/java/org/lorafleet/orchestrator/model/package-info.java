/**
 * Getting models onto workers: a Hub id resolved once on the driver and staged for the executors
 * ({@link org.lorafleet.orchestrator.model.HubModels}), fetching a checkpoint folder from any Hadoop
 * URI to local disk once per JVM, and sharing the frozen base weights between the task threads of an
 * executor.
 */
package org.lorafleet.orchestrator.model;
