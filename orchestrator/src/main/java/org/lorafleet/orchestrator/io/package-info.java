/** Small local-disk helpers shared by the orchestrator's packages (temporary staging folders). */
package org.lorafleet.orchestrator.io;
