package dev.agentfactory.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;

/** The {@code role} claim grants a role only when it is exactly one of the names Supabase issues. */
class RoleClaimTest {

    @Test
    void theRolesSupabaseIssuesMapToTheirAuthorities() {
        assertThat(authorities("service_role")).containsExactly("ROLE_SERVICE_ROLE");
        assertThat(authorities("authenticated")).containsExactly("ROLE_AUTHENTICATED");
    }

    @Test
    void aNameThatOnlyFoldsToServiceRoleGrantsNothing() {
        assertThat(authorities("Service_Role")).isEmpty();
        assertThat(authorities("service-role")).isEmpty();
        assertThat(authorities("serv\u0131ce_role")).isEmpty(); // dotless i upper-cases to I
        assertThat(authorities("supabase_admin")).isEmpty();
    }

    @Test
    void theDefaultLocaleDoesNotChangeTheMapping() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr-TR"));
        try {
            assertThat(authorities("authenticated")).containsExactly("ROLE_AUTHENTICATED");
        } finally {
            Locale.setDefault(before);
        }
    }

    private static java.util.List<String> authorities(String role) {
        Jwt jwt = Jwt.withTokenValue("t").header("alg", "HS256").subject("someone").claim("role", role)
                .issuedAt(Instant.now()).expiresAt(Instant.now().plusSeconds(60)).build();
        return new JwtConfiguration().jwtAuthenticationConverter().convert(jwt).getAuthorities().stream()
                .map(GrantedAuthority::getAuthority).filter(a -> a.startsWith("ROLE_")).toList(); // not FACTOR_BEARER
    }
}
