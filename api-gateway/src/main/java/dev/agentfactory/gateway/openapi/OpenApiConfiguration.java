package dev.agentfactory.gateway.openapi;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document ({@code /v3/api-docs}, UI at {@code /swagger-ui.html}): the API's conventions, and
 * the bearer JWT every {@code /api/v1} resource but health requires.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    static final String DESCRIPTION = """
            The dashboard's API over the Agent Factory's agents and PRDs.

            * Reads carry `ETag: "<version>"`; `If-None-Match` answers 304. Lists are keyset-paginated:
              pass the response's `nextCursor` as `cursor` for the next page.
            * Writes are published to Kafka and answered `202 Accepted` with
              `Location: /api/v1/writes/{eventId}`. `Prefer: wait=N` waits up to N seconds (capped) for the
              outcome and answers 201/200 with the entity and ETag (an appended history entry: 200 with the
              write's outcome and the agent's version at the append, without ETag; not the agent),
              409 (conflict, with `currentVersion`),
              412 (`If-Match` named another version of a live entity), 410 (`deleted`: the agent or PRD is
              deleted, with or without `If-Match`, as a read answers; do not retry) or 422 (rejected).
              `If-Match: "<version>"` makes the write conditional (a weak tag `W/"<version>"` never matches:
              412; `*` sets no version; a list of tags is 400); `Idempotency-Key` makes a retry safe (the
              same key with a different request is 422).
            * A write that could not be published is 503 `broker-unavailable` (not accepted: retry it) or 413
              `body-too-large`. 503 `publish-outcome-unknown` means the broker did not confirm it in time and it may
              have been accepted: the problem has its `eventId` and `Location: /api/v1/writes/{eventId}` (404 until
              processed); retry it only with the same `Idempotency-Key`, as a retry without one may apply it twice.
            * Updates are JSON merge patches (`application/merge-patch+json`, RFC 7396).
            * Errors are RFC 9457 problem details (`application/problem+json`); `type` ends with the
              problem's name (bad-cursor, invalid-write, conflict, precondition-failed, deleted, rejected, ...).
            """;

    @Bean
    OpenAPI gatewayOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Agent Factory API").version("v1").description(DESCRIPTION))
                .components(new Components().addSecuritySchemes("bearer", new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT")
                        .description("A Supabase JWT (role authenticated or service_role)")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
    }
}
