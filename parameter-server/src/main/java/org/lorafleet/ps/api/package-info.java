/**
 * The vocabulary shared by the parameter server and its clients: update modes, registrations,
 * pulled versions, push acknowledgements, step outcomes, metrics, and {@link
 * org.lorafleet.ps.api.PsException}, the one unchecked exception every client implementation
 * throws with a status code and a refusal reason.
 */
package org.lorafleet.ps.api;
