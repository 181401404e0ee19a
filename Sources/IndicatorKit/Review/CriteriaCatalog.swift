/// Every criterion of criteria.md, grouped by the module that judges it.
///
/// Modules build their descriptors from this catalog, and the `rulebook` command prints it, so an id,
/// title, kind and citation are written once.
public enum CriteriaCatalog {
    /// The modules in review order, each with its criteria.
    public static let modules: [(module: String, title: LocalizedText, criteria: [Criterion])] = [
        ("compliance", LocalizedText(zh: "资格与一票否决", en: "Eligibility and veto"), [
            c("ELIG-1", .threshold, "县级区划的中小企业主管部门申报，集群位于该县级区划内", "Filed by one county-level SME authority; the cluster lies in that division", "Art. 2, Art. 10"),
            c("VETO-1", .threshold, "近三年未发生较大及以上安全、质量和环境污染事故", "No safety, quality or pollution accident of grade larger or above in three years", "Standard, preamble; Art. 14(5)"),
            c("VETO-2", .threshold, "近三年未发生重大及以上网络安全和数据安全事件", "No cyber or data security incident of grade major or above in three years", "Standard, preamble; Art. 14(5)"),
            c("VETO-3", .threshold, "近三年无偷税漏税、违法违规、严重失信和其他重大问题", "No tax evasion, illegal conduct, serious dishonesty or other major problem in three years", "Standard, preamble; Art. 14(5)"),
        ]),
        ("competitiveness", LocalizedText(zh: "具有较强核心竞争力", en: "Core competitiveness"), [
            c("COMP-1", .judgement, "主导产业为所在县域的支柱或特色产业", "The leading industry is a pillar or characteristic industry of the county", "Standard 1"),
            c("COMP-2", .judgement, "符合国家、海南省产业政策和行业发展规划要求", "Conforms to national and Hainan industrial policy and plans", "Standard 1"),
            c("COMP-3", .judgement, "发展水平位居细分领域全省前列", "Ranks among the province's front in its segment", "Standard 1"),
            c("COMP-4", .judgement, "有较高的集群品牌知名度", "The cluster brand is well known", "Standard 1"),
            c("COMP-5", .threshold, "占地面积一般不超过100平方公里", "Area as a rule at most 100 km²", "Standard 1"),
            c("COMP-6", .threshold, "近三年产值均在20亿元以上", "Output of at least 2 billion CNY in each of the last three years", "Standard 1"),
            c("COMP-7", .threshold, "中小企业产值占集群总产值60%以上", "SME output at least 60% of total output", "Standard 1"),
            c("COMP-8", .threshold, "主导产业占集群总产值比例高于60%", "Leading-industry output above 60% of total output", "Standard 1"),
            c("COMP-9", .threshold, "产值年均增速高于5%（新冠疫情等特殊情况除外）", "Compound annual output growth above 5% (special circumstances excepted)", "Standard 1"),
        ]),
        ("tiering", LocalizedText(zh: "优质中小企业梯度培育成效显著", en: "Tiered cultivation of quality SMEs"), [
            c("TIER-1", .threshold, "不少于1家主导产业单项冠军或专精特新“小巨人”，或不少于5家专精特新、创新型中小企业和高新技术企业", "At least 1 champion or little giant in the leading industry, or at least 5 specialized, innovative or high-tech enterprises", "Standard 2"),
            c("TIER-2", .judgement, "持续开展优质中小企业梯度培育工作", "Tiered cultivation is carried on continuously", "Standard 2"),
        ]),
        ("supply-chain", LocalizedText(zh: "产业链供应链协作高效", en: "Supply-chain cooperation"), [
            c("SUPP-1", .judgement, "产业链布局合理", "The chain's layout is reasonable", "Standard 3"),
            c("SUPP-2", .evidence, "上下游产供销一体化协同协作机制较完善", "An upstream-downstream production-supply-sales coordination mechanism", "Standard 3"),
            c("SUPP-3", .evidence, "建立通用生产设备、物流、仓储、人力、设计等共享机制", "Sharing of equipment, logistics, warehousing, human resources and design", "Standard 3"),
            c("SUPP-4", .judgement, "产业链关键环节配套能力较强", "Strong supporting capacity at key links", "Standard 3"),
        ]),
        ("innovation", LocalizedText(zh: "具有较强协同创新能力", en: "Collaborative innovation"), [
            c("INNO-1", .threshold, "近三年中小企业研发经费年均增长高于5%", "SME R&D expenditure grows above 5% a year", "Standard 4"),
            c("INNO-2", .evidence, "统筹建立多元创新平台", "Several innovation platforms", "Standard 4"),
            c("INNO-3", .evidence, "与大型企业、高校和科研院所创新合作紧密", "Cooperation with large enterprises, universities and research institutes", "Standard 4"),
            c("INNO-4", .evidence, "积极参加主导产业的标准制修订工作", "Takes part in setting the leading industry's standards", "Standard 4"),
            c("INNO-5", .judgement, "突破了一批主导产业的关键核心技术", "Broke through key core technologies", "Standard 4"),
            c("INNO-6", .threshold, "有效发明专利年均增长率不低于10%", "Valid invention patents grow at least 10% a year", "Standard 4"),
            c("INNO-7", .threshold, "每万人有效发明专利拥有量不低于6个", "At least 6 valid invention patents per 10,000 employees", "Standard 4"),
        ]),
        ("digital", LocalizedText(zh: "数字化转型效果明显", en: "Digital transformation"), [
            c("DIGI-1", .judgement, "新型信息基础设施建设水平较高", "New information infrastructure is well built", "Standard 5"),
            c("DIGI-2", .evidence, "数字化装备和系统应用广泛，引入跨企业数字化解决方案、评估和诊断服务", "Digital equipment widely applied; cross-enterprise solutions and diagnosis", "Standard 5"),
            c("DIGI-3", .evidence, "“用云上平台”成效显著", "“Use the cloud” has clear results", "Standard 5"),
            c("DIGI-4", .threshold, "工业互联网平台应用普及率、工业软件应用率稳步提升", "Industrial-internet and industrial-software rates rise steadily", "Standard 5"),
            c("DIGI-5", .evidence, "集群企业重要生产数据联通，探索数字化新模式新业态", "Production data connected; new digital models explored", "Standard 5"),
            c("DIGI-6", .evidence, "建立健全工业互联网安全保障体系", "An industrial internet security system", "Standard 5"),
        ]),
        ("green", LocalizedText(zh: "具有较高绿色化发展水平", en: "Green development"), [
            c("GREE-1", .judgement, "能源消费结构合理，资源利用效率较高", "Reasonable energy structure; high resource efficiency", "Standard 6"),
            c("GREE-2", .threshold, "二氧化碳排放量强度持续下降", "CO2 emission intensity falls continuously", "Standard 6"),
            c("GREE-3", .evidence, "污染物排放治理有效，建立绿色低碳服务机制", "Pollutants treated; a green low-carbon service mechanism", "Standard 6"),
            c("GREE-4", .threshold, "高耗能行业能效水平高于行业基准值", "High energy-consuming: energy efficiency better than the benchmark", "Standard 6"),
            c("GREE-5", .threshold, "高用水行业水效水平高于行业基准值", "High water-using: water efficiency better than the benchmark", "Standard 6"),
        ]),
        ("openness", LocalizedText(zh: "积极参与产业开放合作", en: "Openness and cooperation"), [
            c("OPEN-1", .evidence, "参与主导产业国内外合作机制或交流活动", "Takes part in domestic or international cooperation or exchange events", "Standard 7"),
            c("OPEN-2", .evidence, "开展技术、管理、人才或资本等方面交流合作", "Exchanges in technology, management, talent or capital", "Standard 7"),
            c("OPEN-3", .judgement, "推动产品和服务对外贸易快速发展", "Foreign trade in products and services grows fast", "Standard 7"),
        ]),
        ("governance", LocalizedText(zh: "具有较强治理和服务能力", en: "Governance and services"), [
            c("GOVE-1", .evidence, "设立管委会等运营管理机构", "An operating management body is set up", "Standard 8"),
            c("GOVE-2", .evidence, "完善的中小企业公共服务体系和专业化的集群发展促进机制", "A public service system and a cluster promotion mechanism", "Standard 8"),
            c("GOVE-3", .threshold, "政策宣贯实现集群全覆盖，不漏户、不漏人", "Policy publicity reaches every enterprise of the cluster", "Standard 8"),
            c("GOVE-4", .judgement, "依照第五条制定未来三年发展规划，目标清晰可考核，措施完整", "A three-year plan per Art. 5 with assessable goals and complete measures", "Standard 8; Art. 5"),
        ]),
        ("plan-completion", LocalizedText(zh: "复核：发展规划目标完成情况", en: "Recertification: plan completion"), [
            c("PLAN-1", .threshold, "复核考核集群三年发展规划目标完成情况", "The three-year plan's goals are met at the recheck", "Art. 12"),
        ]),
    ]

    /// The criteria whose `fail` rejects the filing outright (criteria.md, last bullet).
    public static let vetoCriteria: Set<String> = ["ELIG-1", "VETO-1", "VETO-2", "VETO-3"]

    /// The criteria of `module`, or an empty list for an unknown module.
    public static func criteria(of module: String) -> [Criterion] {
        modules.first { $0.module == module }?.criteria ?? []
    }

    /// The criterion with `id`, if any.
    public static func criterion(_ id: String) -> Criterion? {
        for m in modules { if let found = m.criteria.first(where: { $0.id == id }) { return found } }
        return nil
    }

    private static func c(_ id: String, _ kind: CriterionKind, _ zh: String, _ en: String, _ citation: String) -> Criterion {
        Criterion(id: id, title: LocalizedText(zh: zh, en: en), kind: kind, citation: citation)
    }
}
