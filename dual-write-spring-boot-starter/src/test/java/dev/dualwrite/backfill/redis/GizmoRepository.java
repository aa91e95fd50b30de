package dev.dualwrite.backfill.redis;

import dev.dualwrite.backfill.Gizmo;

import org.springframework.data.repository.CrudRepository;

public interface GizmoRepository extends CrudRepository<Gizmo, String> {

}
