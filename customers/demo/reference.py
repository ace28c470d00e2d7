"""Reference data and calibration of the demo bank: cities, branches, names, occupations,
industries, and the thresholds the default segment rules use.

Everything here is invented or public (city names, resident ID area codes, name frequencies);
it holds no data about real people.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# Customers per relationship manager at bank scale (5.2M customers, 2,000 RMs).
BOOK_SIZE = 2500
CORPORATE_SHARE = 0.04
BATCH_SIZE = 1000
HISTORY_DAYS = 730  # interactions cover the last two years
CENT = Decimal("0.01")

# The thresholds of the default segment rules (customers/migrations/0003): the generator
# aims balances and revenues at them and places each customer as those rules would.
VIP_AUM = Decimal("500000")
VIP_INCOME = Decimal("1000000")
PRIVATE_AUM = Decimal("6000000")
LARGE_REVENUE = Decimal("500000000")
LARGE_EMPLOYEES = 1000
MULTINATIONAL_COUNTRIES = 3
GLOBAL_COUNTRIES = 5

# Rates to CNY used when the database has none yet (as of the demo date).
DEMO_RATES = {
    "USD": Decimal("7.12000000"),
    "HKD": Decimal("0.91500000"),
    "EUR": Decimal("7.78000000"),
    "GBP": Decimal("9.05000000"),
    "JPY": Decimal("0.04750000"),
}


# Reference data ------------------------------------------------------------------------------

@dataclass(frozen=True)
class City:
    zh: str
    en: str
    area_codes: tuple[str, ...]  # resident ID area codes of people born here
    districts: tuple[tuple[str, tuple[str, ...]], ...]  # (district, roads)
    landline: str  # area code


CITIES = {
    "SH": City("上海", "Shanghai", ("310101", "310104", "310105", "310106", "310115"), (
        ("浦东新区", ("世纪大道", "陆家嘴环路", "张杨路", "银城中路", "东方路", "花园石桥路")),
        ("静安区", ("南京西路", "延安中路", "常德路", "江宁路", "威海路")),
        ("徐汇区", ("淮海中路", "漕溪北路", "肇嘉浜路", "天钥桥路")),
        ("黄浦区", ("中山东一路", "西藏中路", "福州路", "河南中路")),
        ("长宁区", ("虹桥路", "仙霞路", "天山路", "遵义路")),
        ("闵行区", ("莘庄路", "七莘路", "沪闵路")),
    ), "21"),
    "HZ": City("杭州", "Hangzhou", ("330102", "330105", "330106", "330108"), (
        ("西湖区", ("文三路", "天目山路", "曙光路", "教工路")),
        ("上城区", ("解放路", "延安路", "庆春路", "平海路")),
        ("滨江区", ("江南大道", "网商路", "滨盛路")),
        ("拱墅区", ("莫干山路", "湖墅南路", "上塘路")),
    ), "571"),
    "GZ": City("广州", "Guangzhou", ("440103", "440104", "440105", "440106"), (
        ("天河区", ("天河路", "珠江东路", "体育西路", "黄埔大道西", "林和西路")),
        ("越秀区", ("环市东路", "中山五路", "东风中路", "北京路")),
        ("海珠区", ("新港中路", "江南大道中", "工业大道")),
        ("番禺区", ("市桥街", "迎宾路", "汉溪大道")),
    ), "20"),
    "SZ": City("深圳", "Shenzhen", ("440303", "440304", "440305", "440306"), (
        ("福田区", ("深南大道", "福华三路", "益田路", "金田路", "彩田路")),
        ("南山区", ("科苑路", "海德三道", "后海大道", "南海大道")),
        ("罗湖区", ("人民南路", "深南东路", "宝安南路")),
        ("宝安区", ("新安六路", "宝民一路", "创业一路")),
    ), "755"),
    "BJ": City("北京", "Beijing", ("110101", "110102", "110105", "110108"), (
        ("西城区", ("金融大街", "复兴门内大街", "西单北大街", "阜成门外大街")),
        ("朝阳区", ("建国路", "东三环中路", "朝阳门外大街", "光华路")),
        ("海淀区", ("中关村大街", "学院路", "知春路")),
        ("东城区", ("东长安街", "王府井大街", "东直门南大街")),
    ), "10"),
}

# (branch code, city, share of the bank's customers)
BRANCH_PLAN = {
    "SH01": ("SH", 0.22),
    "SH02": ("SH", 0.17),
    "HZ01": ("HZ", 0.14),
    "GZ01": ("GZ", 0.17),
    "SZ01": ("SZ", 0.16),
    "BJ01": ("BJ", 0.14),
}

# Birthplaces of people who moved to the branch's city (resident ID area codes).
OTHER_AREA_CODES = (
    "320102", "320583", "330203", "340104", "370102", "410105", "420106", "430104", "441900",
    "450103", "500103", "510107", "610113", "350203", "360102", "130102", "210102", "230103",
    "220102", "120101", "445102", "441302", "321002", "330302", "350102", "530102",
)

# Family names with approximate frequency (per mille) and pinyin.
FAMILY_NAMES = (
    ("王", "Wang", 71), ("李", "Li", 70), ("张", "Zhang", 67), ("刘", "Liu", 54), ("陈", "Chen", 45),
    ("杨", "Yang", 31), ("黄", "Huang", 24), ("赵", "Zhao", 23), ("吴", "Wu", 21), ("周", "Zhou", 21),
    ("徐", "Xu", 13), ("孙", "Sun", 12), ("马", "Ma", 11), ("朱", "Zhu", 11), ("胡", "Hu", 10),
    ("郭", "Guo", 10), ("何", "He", 9), ("高", "Gao", 9), ("林", "Lin", 9), ("罗", "Luo", 9),
    ("郑", "Zheng", 8), ("梁", "Liang", 8), ("谢", "Xie", 6), ("宋", "Song", 6), ("唐", "Tang", 6),
    ("许", "Xu", 5), ("韩", "Han", 5), ("冯", "Feng", 5), ("邓", "Deng", 5), ("曹", "Cao", 5),
    ("彭", "Peng", 5), ("曾", "Zeng", 5), ("肖", "Xiao", 5), ("田", "Tian", 4), ("董", "Dong", 4),
    ("袁", "Yuan", 4), ("潘", "Pan", 4), ("于", "Yu", 4), ("蒋", "Jiang", 4), ("蔡", "Cai", 4),
    ("余", "Yu", 4), ("杜", "Du", 4), ("叶", "Ye", 4), ("程", "Cheng", 4), ("苏", "Su", 3),
    ("魏", "Wei", 3), ("吕", "Lyu", 3), ("丁", "Ding", 3), ("任", "Ren", 3), ("沈", "Shen", 3),
    ("姚", "Yao", 3), ("卢", "Lu", 3), ("姜", "Jiang", 3), ("崔", "Cui", 3), ("钟", "Zhong", 3),
    ("谭", "Tan", 3), ("陆", "Lu", 3), ("汪", "Wang", 3), ("范", "Fan", 3), ("金", "Jin", 3),
    ("石", "Shi", 2), ("廖", "Liao", 2), ("贾", "Jia", 2), ("夏", "Xia", 2), ("韦", "Wei", 2),
    ("方", "Fang", 2), ("白", "Bai", 2), ("邹", "Zou", 2), ("孟", "Meng", 2), ("熊", "Xiong", 2),
    ("秦", "Qin", 2), ("邱", "Qiu", 2), ("江", "Jiang", 2), ("尹", "Yin", 2), ("薛", "Xue", 2),
    ("段", "Duan", 2), ("雷", "Lei", 2), ("侯", "Hou", 2), ("龙", "Long", 2), ("史", "Shi", 2),
    ("陶", "Tao", 2), ("黎", "Li", 2), ("贺", "He", 2), ("顾", "Gu", 2), ("毛", "Mao", 2),
    ("郝", "Hao", 2), ("龚", "Gong", 2), ("邵", "Shao", 2), ("万", "Wan", 2), ("钱", "Qian", 2),
    ("严", "Yan", 2), ("戴", "Dai", 2), ("孔", "Kong", 1), ("汤", "Tang", 1), ("欧阳", "Ouyang", 1),
    ("司马", "Sima", 1), ("上官", "Shangguan", 1), ("诸葛", "Zhuge", 1),
)
FAMILY_WEIGHTS = [weight for _zh, _py, weight in FAMILY_NAMES]

GIVEN_MALE = (
    ("伟", "wei"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("勇", "yong"), ("杰", "jie"),
    ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("辉", "hui"), ("刚", "gang"), ("平", "ping"),
    ("鹏", "peng"), ("华", "hua"), ("飞", "fei"), ("鑫", "xin"), ("波", "bo"), ("斌", "bin"),
    ("宇", "yu"), ("浩", "hao"), ("凯", "kai"), ("健", "jian"), ("俊", "jun"), ("帆", "fan"),
    ("旭", "xu"), ("宁", "ning"), ("龙", "long"), ("林", "lin"), ("阳", "yang"), ("建", "jian"),
    ("国", "guo"), ("志", "zhi"), ("文", "wen"), ("海", "hai"), ("东", "dong"), ("峰", "feng"),
    ("子", "zi"), ("博", "bo"), ("天", "tian"), ("晨", "chen"), ("轩", "xuan"), ("睿", "rui"),
    ("泽", "ze"), ("宏", "hong"), ("成", "cheng"), ("立", "li"), ("新", "xin"), ("永", "yong"),
    ("德", "de"), ("嘉", "jia"), ("毅", "yi"), ("振", "zhen"), ("家", "jia"), ("铭", "ming"),
    ("昊", "hao"), ("然", "ran"), ("诚", "cheng"), ("云", "yun"), ("翔", "xiang"), ("瑞", "rui"),
)
GIVEN_FEMALE = (
    ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("艳", "yan"),
    ("娟", "juan"), ("霞", "xia"), ("秀", "xiu"), ("英", "ying"), ("玲", "ling"), ("燕", "yan"),
    ("婷", "ting"), ("雪", "xue"), ("慧", "hui"), ("颖", "ying"), ("琳", "lin"), ("洁", "jie"),
    ("琴", "qin"), ("云", "yun"), ("莉", "li"), ("倩", "qian"), ("梅", "mei"), ("欣", "xin"),
    ("怡", "yi"), ("佳", "jia"), ("悦", "yue"), ("晶", "jing"), ("红", "hong"), ("兰", "lan"),
    ("萍", "ping"), ("月", "yue"), ("媛", "yuan"), ("妍", "yan"), ("璐", "lu"), ("雨", "yu"),
    ("彤", "tong"), ("涵", "han"), ("诗", "shi"), ("梦", "meng"), ("思", "si"), ("嘉", "jia"),
    ("晓", "xiao"), ("文", "wen"), ("春", "chun"), ("丹", "dan"), ("蕾", "lei"), ("瑶", "yao"),
    ("可", "ke"), ("馨", "xin"), ("薇", "wei"), ("若", "ruo"), ("紫", "zi"), ("语", "yu"),
)

# Hong Kong / Cantonese romanisation of some family names (with their characters), for
# customers who use an English given name.
CANTONESE_FAMILY = (
    ("陈", "Chan"), ("黄", "Wong"), ("张", "Cheung"), ("刘", "Lau"), ("梁", "Leung"), ("何", "Ho"),
    ("林", "Lam"), ("曾", "Tsang"), ("郑", "Cheng"), ("吴", "Ng"), ("李", "Lee"), ("周", "Chow"),
    ("谭", "Tam"), ("麦", "Mak"), ("冯", "Fung"), ("罗", "Law"),
)
ENGLISH_MALE = (
    "David", "Michael", "James", "Peter", "Kevin", "Jason", "Eric", "Daniel", "Andrew", "Thomas",
    "William", "Vincent", "Raymond", "Kenneth", "Alan", "Patrick", "Henry", "Samuel", "Brian", "Oliver",
)
ENGLISH_FEMALE = (
    "Michelle", "Jennifer", "Grace", "Emily", "Sarah", "Jessica", "Vivian", "Karen", "Amy", "Helen",
    "Catherine", "Winnie", "Irene", "Sophia", "Alice", "Joyce", "Rachel", "Olivia", "Fiona", "Cindy",
)
WESTERN_FAMILY = (
    "Smith", "Brown", "Taylor", "Wilson", "Johnson", "Miller", "Davies", "Martin", "Thompson",
    "Müller", "Schmidt", "Dubois", "Bernard", "Rossi", "García", "Andersen", "O'Brien", "Clarke",
)

# (occupation, employer kind, median annual income in CNY)
OCCUPATIONS = (
    ("Software engineer", "company", 320000), ("Teacher", "school", 140000),
    ("Doctor", "hospital", 380000), ("Nurse", "hospital", 120000), ("Accountant", "company", 160000),
    ("Civil servant", "government", 150000), ("Sales manager", "company", 260000),
    ("Business owner", "own", 600000), ("Lawyer", "law", 450000), ("Financial analyst", "company", 350000),
    ("Architect", "company", 280000), ("Product manager", "company", 400000),
    ("Marketing manager", "company", 300000), ("Factory supervisor", "company", 110000),
    ("Shop owner", "own", 180000), ("Driver", "company", 90000), ("Professor", "university", 420000),
    ("Consultant", "company", 380000), ("Pharmacist", "hospital", 150000), ("Chef", "company", 100000),
    ("Real estate agent", "company", 160000), ("Administrative assistant", "company", 85000),
    ("Civil engineer", "company", 220000), ("Designer", "company", 180000),
    ("Homemaker", "none", 0), ("Retired", "none", 60000), ("Student", "university", 0),
)
OCCUPATION_WEIGHTS = (
    8, 6, 3, 4, 6, 5, 6, 5, 2, 3, 2, 3, 3, 5, 4, 3, 1, 3, 2, 2, 3, 5, 3, 3, 3, 9, 3,
)

TRADE_SYLLABLES = (
    ("恒", "heng"), ("通", "tong"), ("华", "hua"), ("信", "xin"), ("东", "dong"), ("方", "fang"),
    ("金", "jin"), ("桥", "qiao"), ("宏", "hong"), ("达", "da"), ("永", "yong"), ("盛", "sheng"),
    ("瑞", "rui"), ("丰", "feng"), ("鼎", "ding"), ("中", "zhong"), ("联", "lian"), ("天", "tian"),
    ("合", "he"), ("远", "yuan"), ("航", "hang"), ("新", "xin"), ("锐", "rui"), ("博", "bo"),
    ("汇", "hui"), ("泰", "tai"), ("嘉", "jia"), ("禾", "he"), ("海", "hai"), ("川", "chuan"),
    ("长", "chang"), ("青", "qing"), ("明", "ming"), ("正", "zheng"), ("世", "shi"), ("万", "wan"),
    ("创", "chuang"), ("启", "qi"), ("德", "de"), ("润", "run"), ("安", "an"), ("康", "kang"),
    ("美", "mei"), ("佳", "jia"), ("宇", "yu"), ("辰", "chen"), ("星", "xing"), ("光", "guang"),
    ("源", "yuan"), ("峰", "feng"), ("凯", "kai"), ("腾", "teng"), ("飞", "fei"), ("卓", "zhuo"),
    ("越", "yue"), ("富", "fu"), ("茂", "mao"), ("隆", "long"), ("昌", "chang"), ("兴", "xing"),
    ("银", "yin"), ("龙", "long"), ("祥", "xiang"), ("诚", "cheng"), ("益", "yi"), ("智", "zhi"),
    ("科", "ke"), ("晟", "sheng"), ("致", "zhi"), ("鸿", "hong"),
)

# (Chinese line of business, English, industry label, exporter?, revenue median in CNY)
INDUSTRIES = (
    ("贸易", "Trading", "Wholesale and retail trade", True, 60_000_000),
    ("科技", "Technology", "Information technology", False, 40_000_000),
    ("电子", "Electronics", "Electronics manufacturing", True, 120_000_000),
    ("机械制造", "Machinery Manufacturing", "Machinery", True, 150_000_000),
    ("物流", "Logistics", "Transport and logistics", False, 80_000_000),
    ("医药", "Pharmaceutical", "Pharmaceuticals", False, 200_000_000),
    ("建筑工程", "Construction Engineering", "Construction", False, 180_000_000),
    ("食品", "Food", "Food and beverage", False, 70_000_000),
    ("纺织", "Textile", "Textiles and apparel", True, 50_000_000),
    ("房地产开发", "Real Estate Development", "Real estate", False, 300_000_000),
    ("化工", "Chemical", "Chemicals", True, 220_000_000),
    ("汽车零部件", "Auto Parts", "Automotive", True, 160_000_000),
    ("餐饮管理", "Catering Management", "Hospitality", False, 25_000_000),
    ("新能源", "New Energy", "Renewable energy", True, 250_000_000),
    ("进出口", "Import and Export", "Import and export", True, 90_000_000),
    ("软件", "Software", "Software", False, 30_000_000),
    ("医疗器械", "Medical Devices", "Medical devices", True, 110_000_000),
)

EXPORT_MARKETS = ("US", "DE", "JP", "KR", "SG", "GB", "FR", "NL", "AU", "VN", "TH", "MY", "AE", "HK")
MAILBOXES = ("finance", "treasury", "info", "accounts", "cfo")
CREDIT_RATINGS = ("AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BB")

EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "139.com", "outlook.com", "gmail.com",
                 "foxmail.com", "hotmail.com", "yahoo.com.hk")
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                   "152", "153", "155", "156", "157", "158", "159", "180", "181", "182", "183",
                   "185", "186", "187", "188", "189")

HOSPITALS = ("第一人民医院", "中医医院", "第六人民医院", "儿童医院", "妇幼保健院", "中山医院")
SCHOOLS = ("实验中学", "第二中学", "外国语学校", "第一小学", "职业技术学院")
UNIVERSITIES = ("大学", "财经大学", "理工大学", "师范大学")
GOVERNMENT = ("市税务局", "区人民政府", "市市场监督管理局", "区教育局", "海关")
LAW_FIRMS = ("金杜律师事务所", "中伦律师事务所", "君合律师事务所", "锦天城律师事务所")

ENGLISH_NAME_SHARE = 0.05  # individuals with an English given name (Hong Kong style or foreign)
