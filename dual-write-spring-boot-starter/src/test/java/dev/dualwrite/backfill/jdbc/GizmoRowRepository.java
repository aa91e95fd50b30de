package dev.dualwrite.backfill.jdbc;

import dev.dualwrite.backfill.Gizmo;

import org.springframework.data.repository.CrudRepository;

public interface GizmoRowRepository extends CrudRepository<Gizmo, String> {

}
