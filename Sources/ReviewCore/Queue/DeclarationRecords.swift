import Foundation
import IndicatorKit
import Postgres
import ClusterStandard
import JSONCore

/// The `module_declarations` table: what each module version declared in its ready line. Every
/// statement that touches it lives here.
public enum DeclarationRecords {
    /// Records `descriptors` (a coordinator's modules as they declared themselves); a version
    /// already recorded with a different declaration is replaced. Returns the modules whose
    /// record was new or changed.
    @discardableResult
    public static func record(_ descriptors: [ModuleDescriptor], by coordinator: String, on connection: PostgresConnection) throws -> [String] {
        guard !descriptors.isEmpty else { return [] }
        let declarations = try JSONB(encoding: descriptors)
        let written = try connection.queryPrepared("""
            INSERT INTO module_declarations (module, version, declaration, recorded_by)
            SELECT d ->> 'id', d ->> 'version', d, $2
            FROM jsonb_array_elements($1::jsonb) AS d
            ON CONFLICT (module, version) DO UPDATE
            SET declaration = excluded.declaration, recorded_at = now(), recorded_by = excluded.recorded_by
            WHERE module_declarations.declaration IS DISTINCT FROM excluded.declaration
            RETURNING module
            """, [declarations, coordinator])
        return try written.rows.map { try $0.decode("module", as: String.self) }
    }

    /// The latest recorded declaration of each of `modules` (all modules when nil), by module id.
    public static func latest(of modules: [String]? = nil, on connection: PostgresConnection) throws -> [String: ModuleDescriptor] {
        let rows = try connection.queryPrepared("""
            SELECT DISTINCT ON (module) module, declaration FROM module_declarations
            WHERE $1::text[] IS NULL OR module = ANY($1::text[])
            ORDER BY module, recorded_at DESC
            """, [modules.map { TextArray($0) }]).rows
        var found: [String: ModuleDescriptor] = [:]
        for row in rows {
            if let descriptor = try? row.decode("declaration", as: JSONB.self).decode(ModuleDescriptor.self) {
                found[try row.decode("module")] = descriptor
            }
        }
        return found
    }

    /// The declarations behind findings made by `versions` (module → version): each module's
    /// declaration of that version, or its latest when that version was never recorded (findings
    /// written before declarations were). Modules never declared are absent.
    public static func declarations(for versions: [String: String], on connection: PostgresConnection) throws -> Declarations {
        guard !versions.isEmpty else { return Declarations() }
        let wanted = try JSONB(encoding: versions.map { ["module": JSONValue.string($0.key), "version": .string($0.value)] })
        let rows = try connection.queryPrepared("""
            SELECT DISTINCT ON (d.module) d.module, d.declaration
            FROM jsonb_to_recordset($1::jsonb) AS w(module text, version text)
            JOIN module_declarations d ON d.module = w.module
            ORDER BY d.module, (d.version = w.version) DESC, d.recorded_at DESC
            """, [wanted]).rows
        var descriptors: [ModuleDescriptor] = []
        for row in rows {
            if let descriptor = try? row.decode("declaration", as: JSONB.self).decode(ModuleDescriptor.self) {
                descriptors.append(descriptor)
            }
        }
        return Declarations(descriptors.sorted { $0.id < $1.id })
    }
}
