package dev.agentfactory.gateway.writes;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;

/** A published (or already processed) write, and the outcome it is waiting for: empty when not waited for or timed out. */
record Submission(WriteEnvelope envelope, Duration waitFor, CompletableFuture<Optional<WriteOutcome>> outcome) {
}
