package dev.agentfactory.store;

import org.junit.jupiter.api.BeforeEach;

class InMemoryStoreContractTest extends StoreContract {

    private Store store;

    @BeforeEach
    void emptyStore() {
        store = Store.inMemory();
    }

    @Override
    protected Store store() {
        return store;
    }
}
