package dev.dualwrite.contract.hash.redis;

/**
 * A hand-written fragment: dual-write cannot tell whether it writes.
 */
public interface ItemRepositoryCustom {

    int renameEverything(String name);

}
