/**
 * Small file helpers shared by the orchestrator's packages: temporary local staging folders
 * ({@link org.lorafleet.orchestrator.io.LocalFiles}) and folders on any Hadoop file system written
 * atomically file by file ({@link org.lorafleet.orchestrator.io.HadoopDir}), and the content digest
 * of a data location that resumes compare ({@link org.lorafleet.orchestrator.io.ContentDigest}).
 */
package org.lorafleet.orchestrator.io;
