/**
 * Small file helpers shared by the orchestrator's packages: temporary local staging folders
 * ({@link org.lorafleet.orchestrator.io.LocalFiles}) and folders on any Hadoop file system written
 * atomically file by file ({@link org.lorafleet.orchestrator.io.HadoopDir}).
 */
package org.lorafleet.orchestrator.io;
