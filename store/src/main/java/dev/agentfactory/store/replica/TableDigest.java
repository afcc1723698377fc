package dev.agentfactory.store.replica;

/**
 * Row count and content hash of one table: the sum, as a number, of the first 64 bits of each row's md5.
 * Order-independent and computed in one streaming pass, so it works on tables of millions of rows without
 * building one large string; any changed, missing or extra row changes it.
 */
public record TableDigest(String table, long rows, String contentHash) {
}
