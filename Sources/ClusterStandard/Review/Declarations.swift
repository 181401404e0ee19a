import IndicatorKit
/// What the modules of a review declared in their `ready` lines: each module's descriptor, and
/// every criterion by id.
///
/// The one source of criterion titles, kinds, citations, parameters and vetoes for aggregation,
/// reports and the rulebook check. The coordinator gets it from its workers' ready lines and
/// records it in the database (`module_declarations`), so a report read years later shows the
/// titles the module declared when it judged.
public struct Declarations: Sendable, Hashable, Codable {
    /// The modules, in the order given.
    public private(set) var modules: [ModuleDescriptor]
    private var criteria: [String: Criterion]
    private var owners: [String: String]
    /// The criteria whose `fail` rejects a filing outright (kept, not recomputed: aggregation asks
    /// for every review).
    public private(set) var vetoCriteria: Set<String> = []

    /// The declarations of `modules`; where two declare the same criterion id, the first is kept.
    public init(_ modules: [ModuleDescriptor] = []) {
        self.modules = []
        self.criteria = [:]
        self.owners = [:]
        for module in modules { add(module) }
    }

    /// Adds (or replaces) `module`'s declaration.
    public mutating func add(_ module: ModuleDescriptor) {
        if let index = modules.firstIndex(where: { $0.id == module.id }) {
            for criterion in modules[index].criteria where owners[criterion.id] == module.id {
                criteria[criterion.id] = nil
                owners[criterion.id] = nil
            }
            modules[index] = module
        } else {
            modules.append(module)
        }
        for criterion in module.criteria where owners[criterion.id] == nil {
            criteria[criterion.id] = criterion
            owners[criterion.id] = module.id
        }
        vetoCriteria = Set(criteria.values.filter(\.veto).map(\.id))
    }

    /// The descriptor of module `id`, if declared.
    public func module(_ id: String) -> ModuleDescriptor? {
        modules.first { $0.id == id }
    }

    /// The criterion `id`, if any module declared it.
    public func criterion(_ id: String) -> Criterion? {
        criteria[id]
    }

    /// The module that declared criterion `id`.
    public func owner(of id: String) -> String? {
        owners[id]
    }

    /// Module `id`'s title, or the id itself when it declared none.
    public func title(ofModule id: String) -> LocalizedText {
        module(id)?.title ?? LocalizedText(zh: id, en: id)
    }

    /// True when nothing is declared.
    public var isEmpty: Bool { modules.isEmpty }

    enum CodingKeys: String, CodingKey { case modules }

    /// Decodes `{"modules": [descriptor…]}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(try container.decode([ModuleDescriptor].self, forKey: .modules))
    }

    /// Encodes `{"modules": [descriptor…]}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(modules, forKey: .modules)
    }
}
