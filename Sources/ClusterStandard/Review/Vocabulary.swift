import IndicatorKit

/// The words for the member names and codes a finding records (`documents`, `failing_grades`,
/// `major`, `logistics` …) in Chinese and English: what the reports and the rules' messages say
/// where a code would otherwise leak into a page of the other language.
public enum Vocabulary {
    /// The words for the members and codes findings carry.
    public static let words: [String: LocalizedText] = [
        "documents": .init(zh: "证明材料", en: "documents"), "statement": .init(zh: "说明", en: "statement"),
        "applicant_county": .init(zh: "申报县区", en: "applicant county"), "cluster_counties": .init(zh: "集群所在县区", en: "cluster counties"),
        "excluded": .init(zh: "未计入", en: "left out"), "incidents": .init(zh: "事件", en: "incidents"),
        "window": .init(zh: "时间范围", en: "window"), "failing_grades": .init(zh: "否决等级", en: "grades that fail"),
        "category": .init(zh: "类别", en: "category"), "date": .init(zh: "日期", en: "date"),
        "enterprise_code": .init(zh: "企业信用代码", en: "enterprise credit code"), "grade": .init(zh: "等级", en: "grade"),
        "excluded_because": .init(zh: "未计入原因", en: "left out because"),
        "outside_window": .init(zh: "不在时间范围内", en: "outside the window"),
        "not_a_cluster_enterprise": .init(zh: "非集群企业", en: "not an enterprise of the cluster"),
        "especially_major": .init(zh: "特别重大", en: "especially major"), "major": .init(zh: "重大", en: "major"),
        "larger": .init(zh: "较大", en: "larger"), "general": .init(zh: "一般", en: "general"),
        "safety": .init(zh: "安全", en: "safety"), "quality": .init(zh: "质量", en: "quality"),
        "environment": .init(zh: "环境污染", en: "environmental pollution"), "cyber": .init(zh: "网络安全", en: "cyber security"),
        "data": .init(zh: "数据安全", en: "data security"), "tax_evasion": .init(zh: "偷税漏税", en: "tax evasion"),
        "illegal_conduct": .init(zh: "违法违规", en: "illegal conduct"), "serious_dishonesty": .init(zh: "严重失信", en: "serious dishonesty"),
        "other_major_problem": .init(zh: "其他重大问题", en: "other major problem"),
        "other_major": .init(zh: "其他重大问题", en: "other major problem"),
        "industrial_internet_rate": .init(zh: "工业互联网平台应用普及率", en: "industrial-internet platform adoption rate"),
        "industrial_software_rate": .init(zh: "工业软件应用率", en: "industrial-software application rate"),
        "enterprises_in_cluster": .init(zh: "集群企业数", en: "enterprises in the cluster"),
        "enterprises_reached": .init(zh: "宣贯覆盖企业数", en: "enterprises reached"),
        "goals": .init(zh: "目标", en: "goals"), "plan_years": .init(zh: "规划年份", en: "plan years"),
        "enough_platforms": .init(zh: "足够的创新平台", en: "enough platforms"),
        "areas_without_measure": .init(zh: "缺少措施的方面", en: "areas without a measure"),
        "goals_not_assessable": .init(zh: "不可考核的目标", en: "goals not assessable"),
        "left_out": .init(zh: "未计入", en: "left out"), "quality_enterprises": .init(zh: "优质中小企业", en: "quality SMEs"),
        "champions_or_little_giants_in_leading_industry": .init(zh: "主导产业单项冠军或“小巨人”", en: "champions or little giants in the leading industry"),
        "expired_before_filing_date": .init(zh: "申报日前已到期", en: "expired before the filing date"),
        "not_in_leading_industry_first_clause_only": .init(zh: "不属主导产业，仅不计入第一款", en: "not in the leading industry: left out of the first clause only"),
        "met": .init(zh: "已完成", en: "met"), "total": .init(zh: "总数", en: "total"), "patents": .init(zh: "有效发明专利", en: "patents"),
        "employees": .init(zh: "从业人数", en: "employees"), "year": .init(zh: "年份", en: "year"),
        "large_enterprise": .init(zh: "大型企业", en: "large enterprise"), "university": .init(zh: "高校", en: "university"),
        "research_institute": .init(zh: "科研院所", en: "research institute"),
        "leading_industry": .init(zh: "主导产业", en: "leading industry"), "innovation": .init(zh: "创新", en: "innovation"),
        "digital": .init(zh: "数字化", en: "digital"), "green": .init(zh: "绿色低碳", en: "green"), "openness": .init(zh: "开放合作", en: "openness"),
        "governance": .init(zh: "治理服务", en: "governance"),
        "equipment": .init(zh: "通用生产设备", en: "equipment"), "logistics": .init(zh: "物流", en: "logistics"),
        "warehousing": .init(zh: "仓储", en: "warehousing"), "human_resources": .init(zh: "人力", en: "human resources"),
        "design": .init(zh: "设计", en: "design"), "technology": .init(zh: "技术", en: "technology"),
        "management": .init(zh: "管理", en: "management"), "talent": .init(zh: "人才", en: "talent"), "capital": .init(zh: "资本", en: "capital"),
        "exports_wan": .init(zh: "出口额（万元）", en: "exports (10,000 CNY)"), "change_wan": .init(zh: "变化（万元）", en: "change (10,000 CNY)"),
        "lower_is_better": .init(zh: "越低越好", en: "lower is better"), "valid_until": .init(zh: "有效期至", en: "valid until"),
        "benchmark": .init(zh: "基准值", en: "benchmark"), "value": .init(zh: "数值", en: "value"),
        "achieved": .init(zh: "完成值", en: "achieved"), "target": .init(zh: "目标值", en: "target"),
        "evidence": .init(zh: "证据", en: "evidence"), "direction": .init(zh: "方向", en: "direction"), "unit": .init(zh: "单位", en: "unit"),
        "increase": .init(zh: "越高越好", en: "higher is better"), "decrease": .init(zh: "越低越好", en: "lower is better"),
        "baseline": .init(zh: "基期值", en: "baseline"), "metric": .init(zh: "指标", en: "metric"),
    ]


    /// `word` in `language`; a code it does not know is kept as written.
    public static func word(_ word: String, _ language: Language) -> String {
        words[word]?.text(in: language) ?? word
    }

    /// `codes` in `language`, joined as a list (`、` in Chinese, `, ` in English).
    public static func list(_ codes: [String], _ language: Language) -> String {
        codes.map { word($0, language) }.joined(separator: language == .en ? ", " : "、")
    }
}
