package dev.dualwrite.contract.hash.redis;

class ItemRepositoryCustomImpl implements ItemRepositoryCustom {

    @Override
    public int renameEverything(String name) {
        return 0;
    }

}
