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

    public static final class AgentModel {
        long version;
        String name;
        String status = "active";
        boolean deleted;
        int history;
    }

    public static final class PrdModel {
        long version;
        String title;
        String status = "draft";
        boolean deleted;
        boolean linked;
    }

    public final Map<UUID, AgentModel> agents = new LinkedHashMap<>();
    public final Map<UUID, PrdModel> prds = new LinkedHashMap<>();
    final Map<Status, Integer> outcomes = new HashMap<>();
    public final List<WriteEnvelope> sends = new ArrayList<>();
    public int distinctEvents;
    long agentVersions;
    long prdVersions;

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
            if (r < 30) {
                m.name = "name-" + (++counter);
                s.add(agent(id, null, new WriteCommand.AgentUpdate(obj().put("name", m.name)), bump(m)));
            } else if (r < 50) {
                s.add(agent(id, null, new WriteCommand.AgentStatePut(obj().put("step", ++counter)), bump(m)));
            } else if (r < 70) {
                m.history++;
                s.add(agent(id, null, new WriteCommand.AgentHistoryAppend("learning", obj().put("n", ++counter), null),
                        applied()));
            } else if (r < 80) {
                long expected = m.version;
                m.name = "name-" + (++counter);
                s.add(agent(id, expected, new WriteCommand.AgentUpdate(obj().put("name", m.name)), bump(m)));
            } else if (r < 90) {
                s.add(agent(id, m.version + 3, new WriteCommand.AgentUpdate(obj().put("name", "never")),
                        Status.CONFLICT));
            } else {
                m.status = m.status.equals("active") ? "paused" : "active";
                s.add(agent(id, null, new WriteCommand.AgentUpdate(obj().put("status", m.status)), bump(m)));
            }
        }
        if (random.nextInt(100) < 15) {
            s.add(agent(id, null, new WriteCommand.AgentDelete(), bump(m)));
            m.deleted = true;
            s.add(agent(id, null, new WriteCommand.AgentUpdate(obj().put("name", "after-delete")), Status.CONFLICT));
        }
        return s;
    }

    private List<WriteEnvelope> prdScript() {
        UUID id = UUID.randomUUID();
        PrdModel m = new PrdModel();
        prds.put(id, m);
        List<WriteEnvelope> s = new ArrayList<>();
        m.title = "PRD " + (++counter);
        s.add(prd(id, null, new WriteCommand.PrdCreate("p-" + tag + "-" + counter, m.title, "body", null, null, "me"),
                bumpPrd(m)));
        m.title = "PRD " + (++counter);
        s.add(prd(id, null, new WriteCommand.PrdUpdate(obj().put("title", m.title)), bumpPrd(m)));
        s.add(prd(id, null, new WriteCommand.PrdUpdate(obj().put("status", "review")), bumpPrd(m)));
        m.status = "review";
        if (!anchors.isEmpty()) {
            UUID anchor = anchors.get(random.nextInt(anchors.size()));
            s.add(prd(id, null, new WriteCommand.PrdLinkAgent(anchor, "reviewer"), bumpPrd(m)));
            m.linked = true;
            if (random.nextBoolean()) {
                s.add(prd(id, null, new WriteCommand.PrdUnlinkAgent(anchor), bumpPrd(m)));
                m.linked = false;
            }
        }
        s.add(prd(id, null, new WriteCommand.PrdLinkAgent(UUID.randomUUID(), null), Status.REJECTED));
        s.add(prd(id, null, new WriteCommand.PrdUpdate(obj().put("status", "approved")), bumpPrd(m)));
        m.status = "approved";
        s.add(prd(id, null, new WriteCommand.PrdUpdate(obj().put("status", "draft")), Status.REJECTED));
        if (random.nextInt(100) < 20) {
            s.add(prd(id, null, new WriteCommand.PrdDelete(), bumpPrd(m)));
            m.deleted = true;
        }
        return s;
    }

    private WriteEnvelope create(UUID id, AgentModel m) {
        m.name = "agent " + (++counter);
        return agent(id, null, new WriteCommand.AgentCreate("a-" + tag + "-" + counter, m.name, "planner", null,
                obj().put("model", "m1"), null, null), bump(m));
    }

    private Status bump(AgentModel m) {
        m.version++;
        agentVersions++;
        return applied();
    }

    private Status bumpPrd(PrdModel m) {
        m.version++;
        prdVersions++;
        return applied();
    }

    private static Status applied() {
        return Status.APPLIED;
    }

    private WriteEnvelope agent(UUID id, Long expected, WriteCommand c, Status outcome) {
        return envelope(id, expected, c, outcome);
    }

    private WriteEnvelope prd(UUID id, Long expected, WriteCommand c, Status outcome) {
        return envelope(id, expected, c, outcome);
    }

    private WriteEnvelope envelope(UUID id, Long expected, WriteCommand c, Status outcome) {
        outcomes.merge(outcome, 1, Integer::sum);
        distinctEvents++;
        return new WriteEnvelope(UUID.randomUUID(), id, expected, "it", Instant.now(), 1, c);
    }

    private static ObjectNode obj() {
        return JsonNodeFactory.instance.objectNode();
    }
}
