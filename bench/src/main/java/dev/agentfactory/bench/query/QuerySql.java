package dev.agentfactory.bench.query;

/** The bulk loads of {@link QueryBench}: realistic rows (JSON config, spread timestamps, three statuses). */
final class QuerySql {

    private QuerySql() {
    }

    static final String LOAD_AGENTS = """
            INSERT INTO factory.agents (id, slug, name, kind, status, config, state, metadata, version,
                                        created_at, created_by, updated_at, updated_by)
            SELECT md5('agent' || i)::uuid, 'agent-' || i, 'Agent ' || i, (ARRAY['researcher', 'writer', 'coder'])[1 + i %% 3],
                   (ARRAY['active', 'paused', 'retired'])[1 + i %% 3],
                   jsonb_build_object('model', 'm' || (i %% 7), 'temperature', (i %% 10) / 10.0, 'tools', jsonb_build_array('search', 'code')),
                   jsonb_build_object('step', i, 'notes', repeat('x', 200)), jsonb_build_object('team', 'team-' || (i %% 50)),
                   1 + i %% 5, now() - make_interval(secs => i * 7), 'bench', now() - make_interval(secs => i * 3), 'bench'
            FROM generate_series(0, %d - 1) AS i""";

    static final String LOAD_PRDS = """
            INSERT INTO factory.prds (id, slug, title, body, status, metadata, owner, version,
                                      created_at, created_by, updated_at, updated_by)
            SELECT md5('prd' || i)::uuid, 'prd-' || i, 'PRD ' || i, repeat('Lorem ipsum dolor sit amet. ', 40),
                   (ARRAY['draft', 'review', 'approved', 'archived'])[1 + i %% 4], jsonb_build_object('priority', i %% 3),
                   'owner-' || (i %% 100) || '@example.com', 1 + i %% 4,
                   now() - make_interval(secs => i * 7), 'bench', now() - make_interval(secs => i * 3), 'bench'
            FROM generate_series(0, %d - 1) AS i""";
}
