-- Hainan's county-level divisions (GB/T 2260), the only places a filing may come from
-- (criteria.md "Codes"; measures Art. 2, Art. 10).

CREATE TABLE counties (
    code          text PRIMARY KEY CHECK (code ~ '^46[0-9]{4}$'),
    name_zh       text NOT NULL UNIQUE,
    name_en       text NOT NULL,
    prefecture_zh text NOT NULL
);

COMMENT ON TABLE counties IS 'Hainan county-level divisions that may file (GB/T 2260).';

INSERT INTO counties (code, name_zh, name_en, prefecture_zh) VALUES
    ('460105', '秀英区', 'Xiuying District', '海口市'),
    ('460106', '龙华区', 'Longhua District', '海口市'),
    ('460107', '琼山区', 'Qiongshan District', '海口市'),
    ('460108', '美兰区', 'Meilan District', '海口市'),
    ('460202', '海棠区', 'Haitang District', '三亚市'),
    ('460203', '吉阳区', 'Jiyang District', '三亚市'),
    ('460204', '天涯区', 'Tianya District', '三亚市'),
    ('460205', '崖州区', 'Yazhou District', '三亚市'),
    ('460302', '西沙区', 'Xisha District', '三沙市'),
    ('460303', '南沙区', 'Nansha District', '三沙市'),
    ('460400', '儋州市', 'Danzhou', '儋州市'),
    ('469001', '五指山市', 'Wuzhishan', '省直辖县级行政单位'),
    ('469002', '琼海市', 'Qionghai', '省直辖县级行政单位'),
    ('469005', '文昌市', 'Wenchang', '省直辖县级行政单位'),
    ('469006', '万宁市', 'Wanning', '省直辖县级行政单位'),
    ('469007', '东方市', 'Dongfang', '省直辖县级行政单位'),
    ('469021', '定安县', 'Ding''an County', '省直辖县级行政单位'),
    ('469022', '屯昌县', 'Tunchang County', '省直辖县级行政单位'),
    ('469023', '澄迈县', 'Chengmai County', '省直辖县级行政单位'),
    ('469024', '临高县', 'Lingao County', '省直辖县级行政单位'),
    ('469025', '白沙黎族自治县', 'Baisha Li Autonomous County', '省直辖县级行政单位'),
    ('469026', '昌江黎族自治县', 'Changjiang Li Autonomous County', '省直辖县级行政单位'),
    ('469027', '乐东黎族自治县', 'Ledong Li Autonomous County', '省直辖县级行政单位'),
    ('469028', '陵水黎族自治县', 'Lingshui Li Autonomous County', '省直辖县级行政单位'),
    ('469029', '保亭黎族苗族自治县', 'Baoting Li and Miao Autonomous County', '省直辖县级行政单位'),
    ('469030', '琼中黎族苗族自治县', 'Qiongzhong Li and Miao Autonomous County', '省直辖县级行政单位');
