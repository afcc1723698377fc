package dev.agentfactory.worker.it;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome.Status;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A random but reproducible stream of agent and PRD writes, with the model of what the database must
 * hold afterwards. The model is computed while generating, from the contract's rules alone: each
 * entity's commands are generated in order and their expected outcomes follow from the entity's state.
 * Duplicates (the same envelope re-sent later, as a producer retry would) are mixed in; they must
 * change nothing.
 */
public final class Workload {

    /** What the database and the results topic must say of one eventId. */
    public record Expected(UUID entityId, Status status, Long version) {
    }

    /** An agent as one of its version rows must hold it. */
    record AgentVersion(UUID eventId, String changeType, String name, String status, Integer step, boolean deleted) {
    }

    /** A PRD as one of its version rows must hold it: {@code link} is its one linked agent, or null. */
    record PrdVersion(UUID eventId, String changeType, String title, String status, UUID link, boolean deleted) {
    }

    public static final class AgentModel {
        String name;
        String status = "active";
        Integer step;
        boolean deleted;
        int history;
        final List<AgentVersion> versions = new ArrayList<>();

        long version() {
            return versions.size();
        }
    }

    public static final class PrdModel {
        String title;
        String status = "draft";
        boolean deleted;
        UUID link;
        final List<PrdVersion> versions = new ArrayList<>();

        long version() {
            return versions.size();
        }
    }

    public final Map<UUID, AgentModel> agents = new LinkedHashMap<>();
    public final Map<UUID, PrdModel> prds = new LinkedHashMap<>();
    final Map<Status, Integer> outcomes = new HashMap<>();
    /** By eventId, every event this workload generated (not those {@link #historyAppendedElsewhere} counts). */
    public final Map<UUID, Expected> expected = new HashMap<>();
    public final List<WriteEnvelope> sends = new ArrayList<>();
    public int distinctEvents;

    private final Random random;
    private final List<UUID> anchors;
    private final String tag;
    private int counter;

    private Workload(long seed, List<UUID> anchors, String tag) {
        this.random = new Random(seed);
        this.anchors = anchors;
        this.tag = tag;
    }

    /**
     * @param anchors agents that exist before the stream starts (committed), so PRD links to them have a
     *                known outcome whatever the order between the two topics
     */
    public static Workload generate(long seed, int events, List<UUID> anchors, String tag) {
        Workload w = new Workload(seed, anchors, tag);
        List<List<WriteEnvelope>> scripts = new ArrayList<>();
        int planned = 0;
        while (planned < events) {
            List<WriteEnvelope> script = w.random.nextInt(10) < 7 ? w.agentScript() : w.prdScript();
            planned += script.size();
            scripts.add(script);
        }
        w.interleave(scripts);
        return w;
    }

    /** The first writes: the anchor agents' creates (their model is part of this workload's model). */
    public static Workload anchors(List<UUID> ids, String tag) {
        Workload w = new Workload(1, List.of(), tag);
        for (UUID id : ids) {
            AgentModel m = new AgentModel();
            w.agents.put(id, m);
            w.sends.add(w.create(id, m));
        }
        return w;
    }

    /**
     * A history entry appended to {@code agent} outside the generated stream (the pipeline crash test sends
     * some through the gateway): the model counts it like one of its own.
     */
    public void historyAppendedElsewhere(UUID agent) {
        agents.get(agent).history++;
        outcomes.merge(Status.APPLIED, 1, Integer::sum);
        distinctEvents++;
    }

    /** The sends in {@code parts} consecutive runs of about equal size (the last takes the remainder). */
    public List<List<WriteEnvelope>> sendsIn(int parts) {
        List<List<WriteEnvelope>> out = new ArrayList<>();
        int size = sends.size() / parts;
        for (int i = 0; i < parts; i++) {
            out.add(sends.subList(i * size, i == parts - 1 ? sends.size() : (i + 1) * size));
        }
        return out;
    }

    private void interleave(List<List<WriteEnvelope>> scripts) {
        List<int[]> cursors = new ArrayList<>();
        for (int i = 0; i < scripts.size(); i++) {
            cursors.add(new int[]{i, 0});
        }
        List<WriteEnvelope> ordered = new ArrayList<>();
        while (!cursors.isEmpty()) {
            int pick = random.nextInt(Math.min(cursors.size(), 200));
            int[] c = cursors.get(pick);
            ordered.add(scripts.get(c[0]).get(c[1]++));
            if (c[1] == scripts.get(c[0]).size()) {
                cursors.remove(pick);
            }
        }
        for (int i = 0; i < ordered.size(); i++) {
            sends.add(ordered.get(i));
            if (random.nextInt(100) < 5) {
                // a re-send of an earlier envelope: same eventId, must be a DUPLICATE
                sends.add(ordered.get(Math.max(0, i - random.nextInt(300))));
            }
            if (random.nextInt(2000) == 0) {
                // a producer that timed out and re-sent its last 20 records
                sends.addAll(ordered.subList(Math.max(0, i - 20), i + 1));
            }
        }
    }

    private List<WriteEnvelope> agentScript() {
        UUID id = UUID.randomUUID();
        AgentModel m = new AgentModel();
        agents.put(id, m);
        List<WriteEnvelope> s = new ArrayList<>();
        s.add(create(id, m));
        int steps = 3 + random.nextInt(14);
        for (int i = 0; i < steps; i++) {
            int r = random.nextInt(100);
            if (r < 27) {
                m.name = "name-" + (++counter);
                s.add(agent(id, m, null, new WriteCommand.AgentUpdate(obj().put("name", m.name)), "update"));
            } else if (r < 42) {
                m.step = ++counter;
                s.add(agent(id, m, null, new WriteCommand.AgentStatePut(obj().put("step", m.step)), "state"));
            } else if (r < 47) {
                // the state it already has (or {} when none was put): applied, no new version
                s.add(agent(id, m, null, new WriteCommand.AgentStatePut(m.step == null ? obj()
                        : obj().put("step", m.step)), null));
            } else if (r < 62) {
                m.history++;
                s.add(agent(id, m, null, new WriteCommand.AgentHistoryAppend("learning", obj().put("n", ++counter),
                        null), null));
            } else if (r < 72) {
                long expected = m.version();
                m.name = "name-" + (++counter);
                s.add(agent(id, m, expected, new WriteCommand.AgentUpdate(obj().put("name", m.name)), "update"));
            } else if (r < 80) {
                s.add(refused(id, m.version(), m.version() + 3, new WriteCommand.AgentUpdate(obj().put("name", "never")),
                        Status.CONFLICT));
            } else if (r < 85) {
                // the name it already has: applied, no new version
                s.add(agent(id, m, null, new WriteCommand.AgentUpdate(obj().put("name", m.name)), null));
            } else if (r < 88) {
                s.add(refused(id, m.version(), null, new WriteCommand.AgentCreate("a-" + tag + "-" + (++counter),
                        "again", "planner", null, null, null, null), Status.CONFLICT));
            } else if (r < 90) {
                // an agent nobody created
                s.add(refused(UUID.randomUUID(), null, null, new WriteCommand.AgentUpdate(obj().put("name", "ghost")),
                        Status.REJECTED));
            } else {
                m.status = m.status.equals("active") ? "paused" : "active";
                s.add(agent(id, m, null, new WriteCommand.AgentUpdate(obj().put("status", m.status)), "update"));
            }
        }
        if (random.nextInt(100) < 15) {
            m.deleted = true;
            s.add(agent(id, m, null, new WriteCommand.AgentDelete(), "delete"));
            s.add(refused(id, m.version(), null, new WriteCommand.AgentUpdate(obj().put("name", "after-delete")),
                    Status.CONFLICT));
        }
        return s;
    }

    private List<WriteEnvelope> prdScript() {
        UUID id = UUID.randomUUID();
        PrdModel m = new PrdModel();
        prds.put(id, m);
        List<WriteEnvelope> s = new ArrayList<>();
        m.title = "PRD " + (++counter);
        s.add(prd(id, m, null, new WriteCommand.PrdCreate("p-" + tag + "-" + counter, m.title, "body", null, null,
                "me"), "create"));
        m.title = "PRD " + (++counter);
        s.add(prd(id, m, null, new WriteCommand.PrdUpdate(obj().put("title", m.title)), "update"));
        if (random.nextBoolean()) {
            long expected = m.version();
            m.title = "PRD " + (++counter);
            s.add(prd(id, m, expected, new WriteCommand.PrdUpdate(obj().put("title", m.title)), "update"));
            s.add(refused(id, m.version(), m.version() - 1, new WriteCommand.PrdUpdate(obj().put("title", "never")),
                    Status.CONFLICT));
        } else {
            s.add(prd(id, m, null, new WriteCommand.PrdUpdate(obj().put("title", m.title)), null));
        }
        m.status = "review";
        s.add(prd(id, m, null, new WriteCommand.PrdUpdate(obj().put("status", "review")), "update"));
        if (!anchors.isEmpty()) {
            UUID anchor = anchors.get(random.nextInt(anchors.size()));
            m.link = anchor;
            s.add(prd(id, m, null, new WriteCommand.PrdLinkAgent(anchor, "reviewer"), "link"));
            if (random.nextBoolean()) {
                m.link = null;
                s.add(prd(id, m, null, new WriteCommand.PrdUnlinkAgent(anchor), "unlink"));
            }
        }
        // unlinking an agent that is not linked: applied, no new version
        s.add(prd(id, m, null, new WriteCommand.PrdUnlinkAgent(UUID.randomUUID()), null));
        s.add(refused(id, null, null, new WriteCommand.PrdLinkAgent(UUID.randomUUID(), null), Status.REJECTED));
        m.status = "approved";
        s.add(prd(id, m, null, new WriteCommand.PrdUpdate(obj().put("status", "approved")), "update"));
        s.add(refused(id, null, null, new WriteCommand.PrdUpdate(obj().put("status", "draft")), Status.REJECTED));
        if (random.nextInt(100) < 20) {
            m.deleted = true;
            s.add(prd(id, m, null, new WriteCommand.PrdDelete(), "delete"));
            s.add(refused(id, m.version(), null, new WriteCommand.PrdUpdate(obj().put("title", "after-delete")),
                    Status.CONFLICT));
        }
        return s;
    }

    private WriteEnvelope create(UUID id, AgentModel m) {
        m.name = "agent " + (++counter);
        return agent(id, m, null, new WriteCommand.AgentCreate("a-" + tag + "-" + counter, m.name, "planner", null,
                obj().put("model", "m1"), null, null), "create");
    }

    /**
     * An applied agent write, the model already changed to what it leaves; {@code changeType} names the version row
     * it adds, or is null for a write that changes nothing the row holds (history, or what the agent already has).
     */
    private WriteEnvelope agent(UUID id, AgentModel m, Long expectedVersion, WriteCommand c, String changeType) {
        WriteEnvelope e = envelope(id, expectedVersion, c);
        if (changeType != null) {
            m.versions.add(new AgentVersion(e.eventId(), changeType, m.name, m.status, m.step, m.deleted));
        }
        return expect(e, Status.APPLIED, m.version());
    }

    /** An applied PRD write, as {@link #agent}. */
    private WriteEnvelope prd(UUID id, PrdModel m, Long expectedVersion, WriteCommand c, String changeType) {
        WriteEnvelope e = envelope(id, expectedVersion, c);
        if (changeType != null) {
            m.versions.add(new PrdVersion(e.eventId(), changeType, m.title, m.status, m.link, m.deleted));
        }
        return expect(e, Status.APPLIED, m.version());
    }

    /** A write the rules refuse: CONFLICT carries the entity's version, REJECTED none. */
    private WriteEnvelope refused(UUID id, Long version, Long expectedVersion, WriteCommand c, Status status) {
        return expect(envelope(id, expectedVersion, c), status, status == Status.REJECTED ? null : version);
    }

    private WriteEnvelope expect(WriteEnvelope e, Status status, Long version) {
        outcomes.merge(status, 1, Integer::sum);
        distinctEvents++;
        expected.put(e.eventId(), new Expected(e.entityId(), status, version));
        return e;
    }

    private static WriteEnvelope envelope(UUID id, Long expectedVersion, WriteCommand c) {
        return new WriteEnvelope(UUID.randomUUID(), id, expectedVersion, "it", Instant.now(), 1, c);
    }

    private static ObjectNode obj() {
        return JsonNodeFactory.instance.objectNode();
    }
}
