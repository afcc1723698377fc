package dev.agentfactory.gateway.security;

import java.util.List;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationConverter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationConverter;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

import dev.agentfactory.gateway.problem.ProblemResponses;

/**
 * Who may call what. Health and the OpenAPI document are open; the audit log, {@code /actuator/prometheus} and
 * {@code /actuator/info} are for {@code service_role}; every other {@code /api/v1} resource needs {@code service_role} or
 * {@code authenticated}. No token or a bad one answers 401, any other role 403, both as problem details;
 * on the health endpoints a token is only looked at, never required ({@link #health}).
 * Stateless: no session, no CSRF token (bearer tokens are not sent by browsers on their own).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    static final String SERVICE = "SERVICE_ROLE";
    static final String USER = "AUTHENTICATED";
    static final String[] HEALTH = {"/api/v1/health", "/api/v1/health/**", "/actuator/health", "/actuator/health/**"};
    /**
     * Operators' endpoints: request rates per URI and status, pool saturation, JVM memory and Kafka client internals,
     * and the build. The service has {@code ingress: all} and production exports its metrics to Cloud Monitoring, so
     * nobody needs an anonymous scrape: anyone without a token got them all.
     */
    static final String[] OPERATOR = {"/actuator/prometheus", "/actuator/info"};

    /**
     * The health endpoints need no token, and one that does not check out (expired, forged, malformed) is ignored:
     * the caller is anonymous and gets the status alone, where the API's chain answered it 401 as on any resource.
     * A valid token still counts, so a {@code service_role} caller sees the components.
     */
    @Bean
    @Order(1)
    SecurityFilterChain health(HttpSecurity http, JwtDecoder decoder, JwtAuthenticationConverter converter)
            throws Exception {
        JwtAuthenticationProvider jwt = new JwtAuthenticationProvider(decoder);
        jwt.setJwtAuthenticationConverter(converter);
        AuthenticationManager tokenIfValid = token -> {
            try {
                return jwt.authenticate(token);
            } catch (AuthenticationException e) {
                return new AnonymousAuthenticationToken("health", "anonymousUser",
                        AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS"));
            }
        };
        BearerTokenAuthenticationConverter bearer = new BearerTokenAuthenticationConverter();
        AuthenticationConverter bearerIfWellFormed = request -> {
            try {
                return bearer.convert(request);
            } catch (AuthenticationException e) {
                return null; // as if the request carried no token
            }
        };
        stateless(http).securityMatcher(HEALTH)
                .authorizeHttpRequests(auth -> auth.anyRequest().permitAll())
                .oauth2ResourceServer(rs -> rs.authenticationConverter(bearerIfWellFormed)
                        .authenticationManagerResolver(request -> tokenIfValid));
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain api(HttpSecurity http, JwtAuthenticationConverter converter, ProblemResponses problems)
            throws Exception {
        stateless(http)
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers(HttpMethod.OPTIONS, "/**").permitAll()
                        .requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**",
                                "/error").permitAll()
                        .requestMatchers(OPERATOR).hasRole(SERVICE)
                        .requestMatchers("/api/v1/audit", "/api/v1/audit/**").hasRole(SERVICE)
                        .requestMatchers("/api/v1/**").hasAnyRole(SERVICE, USER)
                        .anyRequest().denyAll())
                .oauth2ResourceServer(rs -> rs
                        .jwt(jwt -> jwt.jwtAuthenticationConverter(converter))
                        .authenticationEntryPoint(problems::unauthorized)
                        .accessDeniedHandler(problems::forbidden))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint(problems::unauthorized)
                        .accessDeniedHandler(problems::forbidden));
        return http.build();
    }

    private static HttpSecurity stateless(HttpSecurity http) throws Exception {
        return http.csrf(csrf -> csrf.disable())
                .cors(Customizer.withDefaults())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
    }

    /** URLs the firewall refuses (encoded separators, traversal...) get problem details like any other 400. */
    @Bean
    RequestRejectedHandler requestRejectedHandler(ProblemResponses problems) {
        return (req, res, e) -> problems.write(req, res, ProblemResponses.problem(HttpStatus.BAD_REQUEST,
                "bad-request", "the request URL contains characters or sequences the gateway does not accept"));
    }

    @Bean
    CorsConfigurationSource corsConfigurationSource(GatewaySecurityProperties props) {
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOrigins(props.allowedOrigins());
        cors.setAllowedMethods(List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));
        cors.setAllowedHeaders(List.of("Authorization", "Content-Type", "If-Match", "If-None-Match", "Prefer",
                "Idempotency-Key"));
        cors.setExposedHeaders(List.of("ETag", "Location", "Preference-Applied", "Link"));
        cors.setMaxAge(3600L);
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/api/**", cors);
        return source;
    }
}
