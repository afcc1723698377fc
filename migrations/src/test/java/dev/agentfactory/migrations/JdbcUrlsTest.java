package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The one way this project splits a PostgreSQL JDBC URL, checked on the cases pgjdbc itself reads. */
class JdbcUrlsTest {

    @Test
    void urlsKeepTheirTlsParametersWhenPointedAtAnotherDatabase() {
        String url = "jdbc:postgresql://db.example.com:5432/postgres?sslmode=verify-full&prepareThreshold=0";
        assertThat(JdbcUrls.withDatabase(url, "scratch"))
                .isEqualTo("jdbc:postgresql://db.example.com:5432/scratch?sslmode=verify-full&prepareThreshold=0");
        assertThat(JdbcUrls.database(url)).isEqualTo("postgres");
    }

    @Test
    void messagesShowAUrlWithoutItsPassword() {
        assertThat(JdbcUrls.redacted("jdbc:postgresql://h/factory?user=o&Password=s3cr%26t&sslmode=require"))
                .isEqualTo("jdbc:postgresql://h/factory?user=o&Password=***&sslmode=require");
        assertThat(JdbcUrls.redacted("jdbc:postgresql://h/factory?password=x")).isEqualTo("jdbc:postgresql://h/factory?password=***");
        assertThat(JdbcUrls.redacted("jdbc:postgresql://owner:s3cr:et@h:5432/factory?sslmode=require"))
                .isEqualTo("jdbc:postgresql://owner:***@h:5432/factory?sslmode=require");
        assertThat(JdbcUrls.redacted("jdbc:postgresql://h/factory?user=a@b")).isEqualTo("jdbc:postgresql://h/factory?user=a@b");
    }

    @Test
    void passwordsHoldingUrlDelimitersOrInTheSslKeyParameterAreMaskedWhole() {
        // '@' and '/' are common in generated passwords; pasted raw into a URI's user information they must not
        // leave part of the password (or all of it) in the message.
        assertThat(JdbcUrls.redacted("jdbc:postgresql://owner:p@ss@db.example.com:5432/factory"))
                .isEqualTo("jdbc:postgresql://owner:***@db.example.com:5432/factory");
        assertThat(JdbcUrls.redacted("jdbc:postgresql://owner:ab/cd+e@db.example.com:5432/factory?sslmode=require"))
                .isEqualTo("jdbc:postgresql://owner:***@db.example.com:5432/factory?sslmode=require");
        // pgjdbc's sslpassword decrypts the client key: as secret as the database password
        assertThat(JdbcUrls.redacted("jdbc:postgresql://h/factory?sslkey=/k.pk8&sslpassword=k3y&sslmode=verify-full"))
                .isEqualTo("jdbc:postgresql://h/factory?sslkey=/k.pk8&sslpassword=***&sslmode=verify-full");
        // no user information: an '@' in a parameter, an IPv6 host are left alone
        assertThat(JdbcUrls.redacted("jdbc:postgresql://h:5432/factory?user=a@b")).isEqualTo("jdbc:postgresql://h:5432/factory?user=a@b");
        assertThat(JdbcUrls.redacted("jdbc:postgresql://[::1]:5432/factory?user=a@b"))
                .isEqualTo("jdbc:postgresql://[::1]:5432/factory?user=a@b");
    }

    @Test
    void aUrlThatIsNotJdbcIsNamedByItsSchemeOnly() {
        // A libpq URI (what Supabase's dashboard shows) carries its password in the user information.
        assertThatThrownBy(() -> JdbcUrls.database("postgresql://postgres:s3cret@db.example.supabase.co:5432/postgres"))
                .hasMessageNotContaining("s3cret").hasMessageNotContaining("supabase")
                .hasMessageContaining("it starts with 'postgresql:'");
        assertThatThrownBy(() -> JdbcUrls.database("jdbc:mysql://h/factory?password=s3cret"))
                .hasMessageNotContaining("s3cret").hasMessageContaining("it starts with 'jdbc:mysql:'");
        assertThatThrownBy(() -> JdbcUrls.database("s3cret")).hasMessageNotContaining("s3cret");
    }

    @Test
    void serversAreEveryHostOfTheUrlAsWritten() {
        assertThat(JdbcUrls.servers("jdbc:postgresql://[::1]:5432,db2.internal/factory?sslrootcert=/etc/ca.pem"))
                .containsExactly("[::1]:5432", "db2.internal");
        assertThat(JdbcUrls.servers("jdbc:postgresql://h:5432?x=1")).containsExactly("h:5432");
    }

    @Test
    void ipv6AndMultiHostServersAreKeptWhole() {
        String url = "jdbc:postgresql://[::1]:5432,[2001:db8::7]:6432,db2.internal/factory?targetServerType=primary";
        assertThat(JdbcUrls.database(url)).isEqualTo("factory");
        assertThat(JdbcUrls.withDatabase(url, "postgres"))
                .isEqualTo("jdbc:postgresql://[::1]:5432,[2001:db8::7]:6432,db2.internal/postgres?targetServerType=primary");
    }

    @Test
    void aSlashInAParameterIsNotTheDatabase() {
        // The regex restore used to have read "etc/ca.pem" as the database name of this URL.
        String url = "jdbc:postgresql://db.example.com:5432?sslmode=verify-full&sslrootcert=/etc/ca.pem";
        assertThat(JdbcUrls.database(url)).isEmpty();
        assertThat(JdbcUrls.withDatabase(url, "factory"))
                .isEqualTo("jdbc:postgresql://db.example.com:5432/factory?sslmode=verify-full&sslrootcert=/etc/ca.pem");
        assertThat(JdbcUrls.database("jdbc:postgresql://db/factory?sslrootcert=/etc/ca.pem")).isEqualTo("factory");
    }

    @Test
    void theDatabaseNameIsUrlEncodedAsPgjdbcReadsIt() {
        assertThat(JdbcUrls.database("jdbc:postgresql://h/factory%20eu?x=1")).isEqualTo("factory eu");
        assertThat(JdbcUrls.withDatabase("jdbc:postgresql://h/postgres?x=1", "factory eu"))
                .isEqualTo("jdbc:postgresql://h/factory%20eu?x=1");
        assertThat(JdbcUrls.database(JdbcUrls.withDatabase("jdbc:postgresql://h/x", "a+b/c?d")))
                .isEqualTo("a+b/c?d");
    }

    @Test
    void aUrlWithoutADatabaseNamesNoneAndGetsOne() {
        assertThat(JdbcUrls.database("jdbc:postgresql://h:5432")).isEmpty();
        assertThat(JdbcUrls.database("jdbc:postgresql://h:5432/")).isEmpty();
        assertThat(JdbcUrls.withDatabase("jdbc:postgresql://h:5432", "factory")).isEqualTo("jdbc:postgresql://h:5432/factory");
    }

    @Test
    void anythingButAPostgresqlUrlWithHostsIsRefused() {
        assertThatThrownBy(() -> JdbcUrls.database("jdbc:mysql://h/factory"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a PostgreSQL JDBC URL");
        assertThatThrownBy(() -> JdbcUrls.withDatabase("jdbc:postgresql:factory", "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aUrlWhoseParametersNameTheDatabaseOrServerIsRefused() {
        // pgjdbc lets dbname/PGDBNAME and host/port parameters override the path: pointed "at another database",
        // such a URL would still reach the one its parameter names (validate would compare the live schema with
        // itself, restore's maintenance connection would open the target).
        for (String url : new String[] {"jdbc:postgresql://h/postgres?dbname=factory",
                "jdbc:postgresql://h/?sslmode=require&PGDBNAME=factory", "jdbc:postgresql://h/f?DBNAME=x",
                "jdbc:postgresql://127.0.0.1/f?host=db.example.com", "jdbc:postgresql://h/f?PGHOST=x",
                "jdbc:postgresql://h/f?port=6432", "jdbc:postgresql://h/f?x=1&PGPORT=6432"}) {
            assertThatThrownBy(() -> JdbcUrls.withDatabase(url, "scratch")).as(url)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("in its path");
            assertThatThrownBy(() -> JdbcUrls.database(url)).as(url).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(JdbcUrls.database("jdbc:postgresql://h/f?hostRecheckSeconds=5&sslhostnameverifier=x")).isEqualTo("f");
    }

    @Test
    void aPathThatPgjdbcRefusesIsRefused() {
        // pgjdbc refuses a second '/' after the host list ("too many / characters"); an encoded one is a name.
        assertThatThrownBy(() -> JdbcUrls.database("jdbc:postgresql://h/factory/eu"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(JdbcUrls.database("jdbc:postgresql://h/factory%2Feu")).isEqualTo("factory/eu");
    }
}
