package dev.agentfactory.relay;

import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * {@link CdcProperties} as Spring binds them, so a test names only the settings it is about and a new property
 * (with its default) needs no change in every test that builds the record.
 */
public final class TestCdcProperties {

    private TestCdcProperties() {
    }

    /** The defaults, with {@code overrides} given by their names under {@code factory.cdc} ("sink-timeout": "1s"). */
    public static CdcProperties with(Map<String, String> overrides) {
        Map<String, String> source = new HashMap<>();
        overrides.forEach((name, value) -> source.put("factory.cdc." + name, value));
        return new Binder(new MapConfigurationPropertySource(source)).bindOrCreate("factory.cdc", CdcProperties.class);
    }
}
