"""The demo bank's customers: a deterministic, realistic book for `manage.py seed_demo`.

`seed_customers(customers=N, seed=S)` fills the organisation from `crm.demo` with N
customers (about 96% individuals, 4% corporates) spread over the branches that serve
customers, with enough relationship managers for books of about 2,500 customers (the scale
the portal is built for). Every customer gets a profile, holdings whose balances fit the
segment, needs, relationships (households, company directors and shareholders, parent
companies), two years of interactions on every channel, a history entry and the book
permissions of their relationship manager.

Deterministic: each batch of customers draws from its own `random.Random` seeded with the
seed and the batch number, so the same seed (and the same `as_of` date) gives the same
customers, names, identity numbers and counts. Dates are relative to `as_of` (default:
today) so the demo always looks current; pin it for byte-identical runs.

Fast: rows are written with `bulk_create` per batch (encrypted fields and blind indexes are
computed per object by the fields' `pre_save`), one transaction per batch, and AUM and
segments are recomputed set-based at the end. The plaintext written here is invented; no
value is printed in the progress lines.
"""

from __future__ import annotations

import datetime
import json
import math
import multiprocessing
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, connections, models, transaction
from django.utils import timezone

from compliance.fields import BlindIndexField, EncryptedField
from crm.demo import CUSTOMER_BRANCHES, demo_password
from crm.models import Branch, StaffProfile
from crm.roles import Role
from customers.models import (
    ASSET_PRODUCTS,
    NEEDS_BY_KIND,
    Channel,
    CorporateProfile,
    Customer,
    CustomerEvent,
    CustomerEventKind,
    CustomerKind,
    CustomerStatus,
    ExchangeRate,
    Gender,
    Holding,
    HoldingStatus,
    IndividualProfile,
    Interaction,
    InteractionType,
    Need,
    NeedStatus,
    NeedType,
    ProductType,
    Relationship,
    RelationshipKind,
    RiskTolerance,
    Segment,
    band_floor,
)
from customers.naming import search_name
from customers.permissions import grant_book_permissions
from customers.services import customers_refresh_aum, next_customer_numbers

__all__ = [
    "BOOK_SIZE",
    "CORPORATE_SHARE",
    "DemoStats",
    "ensure_relationship_managers",
    "national_id_check_digit",
    "seed_customers",
    "usci_check_character",
]

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


# --- Reference data ---------------------------------------------------------------------------

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
_FAMILY_WEIGHTS = [weight for _zh, _py, weight in FAMILY_NAMES]

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
_OCCUPATION_WEIGHTS = (
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


# --- Check digits -----------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def national_id_check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a mainland resident ID (GB 11643)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("A resident ID check digit needs exactly 17 digits.")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


_USCI_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCI_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def usci_check_character(first17: str) -> str:
    """The check character of a Unified Social Credit Identifier (GB 32100-2015)."""
    if len(first17) != 17 or any(char not in _USCI_CHARS for char in first17):
        raise ValueError("A USCI check character needs 17 characters of the USCI alphabet.")
    total = sum(_USCI_CHARS.index(char) * weight
                for char, weight in zip(first17, _USCI_WEIGHTS, strict=True))
    return _USCI_CHARS[(31 - total % 31) % 31]


def _organisation_code(body: str) -> str:
    """An 8-digit organisation code body plus its GB 11714 check character."""
    total = sum(int(digit) * weight for digit, weight in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


# --- Plans (pure Python, before any row exists) -----------------------------------------------

@dataclass
class _HoldingPlan:
    product_type: str
    product_name: str
    balance: Decimal
    currency: str
    status: str
    opened_on: datetime.date
    matures_on: datetime.date | None
    account_number: str


@dataclass
class _Plan:
    """Everything about one customer, decided before writing."""

    kind: str
    branch_code: str
    manager_id: int | None
    customer: dict
    profile: dict
    holdings: list[_HoldingPlan] = field(default_factory=list)
    interactions: list[dict] = field(default_factory=list)
    needs: list[dict] = field(default_factory=list)
    # (other plan index in the batch, kind, role, share) with this customer as `from`.
    links_out: list[tuple[int, str, str, Decimal | None]] = field(default_factory=list)
    age: int = 0
    gender: str = ""
    married_to: int | None = None
    name_style: str = ""
    family: tuple[str, str] | None = None


@dataclass
class DemoStats:
    """Counts of what was written (for progress lines and tests)."""

    customers: int = 0
    individuals: int = 0
    corporates: int = 0
    holdings: int = 0
    interactions: int = 0
    needs: int = 0
    relationships: int = 0
    relationship_managers_created: int = 0
    segments: Counter = field(default_factory=Counter)

    def add(self, other: DemoStats) -> None:
        self.customers += other.customers
        self.individuals += other.individuals
        self.corporates += other.corporates
        self.holdings += other.holdings
        self.interactions += other.interactions
        self.needs += other.needs
        self.relationships += other.relationships
        self.segments.update(other.segments)


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(CENT)


def _arrears(rng: random.Random, share: float) -> str:
    """A loan or card status: in arrears for `share` of them."""
    return HoldingStatus.IN_ARREARS if rng.random() < share else HoldingStatus.ACTIVE


def _years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _round_to(value: float, unit: int) -> Decimal:
    return Decimal(max(unit, round(value / unit) * unit)).quantize(CENT)


class _BatchGenerator:
    """Draws the plans of one batch of customers from its own random stream."""

    def __init__(self, *, rng: random.Random, as_of: datetime.date, managers: dict[str, list[int]],
                 floor_staff: dict[str, int], rates: dict[str, Decimal]):
        self.rng = rng
        self.as_of = as_of
        self.managers = managers
        self.floor_staff = floor_staff
        self.rates = rates
        self.branch_codes = list(BRANCH_PLAN)
        self.branch_weights = [share for _city, share in BRANCH_PLAN.values()]
        self.zone = timezone.get_current_timezone()
        self.plans: list[_Plan] = []
        # Per branch: indexes of individuals (for households and company officers) and corporates.
        self.individuals_by_branch: dict[str, list[int]] = defaultdict(list)
        self.corporates_by_branch: dict[str, list[int]] = defaultdict(list)

    # Dates -------------------------------------------------------------------------------

    def _date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        if end <= start:
            return start
        return start + datetime.timedelta(days=self.rng.randrange((end - start).days + 1))

    def _moment(self, earliest: datetime.date, latest: datetime.date | None = None) -> datetime.datetime:
        """A time of day between 08:00 and 21:00 on a day from `earliest` (at most two years
        ago) to `latest` (default: yesterday, so nothing lies in the future)."""
        start = max(earliest, self.as_of - datetime.timedelta(days=HISTORY_DAYS))
        day = self._date_between(start, latest or self.as_of - datetime.timedelta(days=1))
        return datetime.datetime.combine(
            day, datetime.time(self.rng.randrange(8, 21), self.rng.randrange(60), self.rng.randrange(60)),
            tzinfo=self.zone,
        )

    # Identity ----------------------------------------------------------------------------

    def _mobile(self) -> str:
        prefix = self.rng.choice(MOBILE_PREFIXES)
        body = f"{self.rng.randrange(10**8):08d}"
        style = self.rng.random()
        # Stored the way branch staff typed them: the blind index normalises all of these.
        if style < 0.45:
            return f"{prefix}{body}"
        if style < 0.75:
            return f"{prefix} {body[:4]} {body[4:]}"
        if style < 0.95:
            return f"+86 {prefix} {body[:4]} {body[4:]}"
        return f"+86-{prefix}-{body[:4]}-{body[4:]}"

    def _landline(self, city: City) -> str:
        number = f"{self.rng.randrange(2, 9)}{self.rng.randrange(10**7):07d}"
        return f"+86 {city.landline} {number[:4]} {number[4:]}"

    def _resident_id(self, area: str, birth: datetime.date, gender: str) -> str:
        sequence = self.rng.randrange(500)
        parity = 1 if gender == Gender.MALE else 0
        order = sequence * 2 + parity
        first17 = f"{area}{birth:%Y%m%d}{order:03d}"
        return first17 + national_id_check_digit(first17)

    def _usci(self, city: City) -> str:
        area = self.rng.choice(city.area_codes)
        organisation = _organisation_code(f"{self.rng.randrange(10**8):08d}")
        first17 = f"91{area}{organisation}"
        return first17 + usci_check_character(first17)

    def _street_address(self, city: City, *, company: bool = False) -> str:
        district, roads = self.rng.choice(city.districts)
        road = self.rng.choice(roads)
        number = self.rng.randrange(1, 1800)
        if company:
            return f"{city.zh}市{district}{road}{number}号{self.rng.randrange(2, 48)}楼"
        if self.rng.random() < 0.5:
            return (f"{city.zh}市{district}{road}{number}弄{self.rng.randrange(1, 40)}号"
                    f"{self.rng.randrange(1, 33)}{self.rng.randrange(1, 6):02d}室")
        return (f"{city.zh}市{district}{road}{number}号{self.rng.randrange(1, 20)}栋"
                f"{self.rng.randrange(1, 33)}{self.rng.randrange(1, 9):02d}室")

    def _account_number(self, product_type: str) -> str:
        if product_type == ProductType.CREDIT_CARD:
            return f"6225{self.rng.randrange(10**12):012d}"
        if product_type in (ProductType.MORTGAGE, ProductType.CONSUMER_LOAN, ProductType.CORPORATE_LOAN,
                            ProductType.TRADE_FINANCE):
            return f"9{self.rng.randrange(10**17):017d}"
        return f"6222{self.rng.randrange(10**15):015d}"

    # Names -------------------------------------------------------------------------------

    def _chinese_name(self, gender: str, family: tuple[str, str] | None = None) -> tuple[
            str, str, str, tuple[str, str]]:
        """(family name in pinyin, given name in pinyin, name in characters, (family zh, pinyin))."""
        if family is None:
            zh, py, _weight = self.rng.choices(FAMILY_NAMES, weights=_FAMILY_WEIGHTS)[0]
        else:
            zh, py = family
        pool = GIVEN_MALE if gender == Gender.MALE else GIVEN_FEMALE
        chars = [self.rng.choice(pool)] if self.rng.random() < 0.3 else self.rng.sample(pool, 2)
        given_zh = "".join(char for char, _ in chars)
        given_py = "".join(syllable for _, syllable in chars).capitalize()
        return py, given_py, zh + given_zh, (zh, py)

    # Customers ---------------------------------------------------------------------------

    def plan_batch(self, size: int) -> list[_Plan]:
        for _ in range(size):
            branch_code = self.rng.choices(self.branch_codes, weights=self.branch_weights)[0]
            if self.rng.random() < CORPORATE_SHARE:
                plan = self._corporate(branch_code)
                self.corporates_by_branch[branch_code].append(len(self.plans))
            else:
                plan = self._individual(branch_code)
                self.individuals_by_branch[branch_code].append(len(self.plans))
            self.plans.append(plan)
        return self.plans

    def _status(self) -> str:
        draw = self.rng.random()
        if draw < 0.94:
            return CustomerStatus.ACTIVE
        if draw < 0.98:
            return CustomerStatus.DORMANT
        if draw < 0.995:
            return CustomerStatus.PROSPECT
        return CustomerStatus.CLOSED

    def _manager(self, branch_code: str) -> int:
        return self.rng.choice(self.managers[branch_code])

    def _birth_date(self, age: int) -> datetime.date:
        """A date of birth that makes the customer `age` years old on the demo date."""
        latest = _years_before(self.as_of, age)
        earliest = _years_before(self.as_of, age + 1) + datetime.timedelta(days=1)
        return self._date_between(earliest, latest)

    def _individual(self, branch_code: str) -> _Plan:
        rng = self.rng
        city = CITIES[BRANCH_PLAN[branch_code][0]]
        index = len(self.plans)
        draw = rng.random()
        segment = Segment.PRIVATE if draw < 0.015 else Segment.VIP if draw < 0.12 else Segment.MASS
        status = self._status()
        if status in (CustomerStatus.PROSPECT, CustomerStatus.CLOSED):
            segment = Segment.MASS
        gender = Gender.MALE if rng.random() < 0.5 else Gender.FEMALE
        # The ID number encodes a sex even when the customer chose not to state a gender.
        id_gender = gender
        if rng.random() < 0.01:
            gender = Gender.UNDISCLOSED
        if segment == Segment.PRIVATE:
            age = int(rng.triangular(32, 80, 55))
        elif segment == Segment.VIP:
            age = int(rng.triangular(26, 82, 48))
        else:
            age = int(rng.triangular(18, 88, 34))

        # Households: some customers are the spouse or the grown-up child of another customer
        # of the same branch (same address, and a child shares the family name).
        household_of: int | None = None
        household_kind = ""
        same_branch = self.individuals_by_branch[branch_code]
        if same_branch and rng.random() < 0.18:
            candidate = rng.choice(same_branch[-50:])
            other = self.plans[candidate]
            if (other.married_to is None and other.gender in (Gender.MALE, Gender.FEMALE)
                    and other.gender != id_gender and age >= 24 and abs(other.age - age) <= 8):
                household_of, household_kind = candidate, RelationshipKind.SPOUSE
            elif other.age >= 42:
                household_of, household_kind = candidate, RelationshipKind.HOUSEHOLD_MEMBER
                age = max(18, min(age, other.age - rng.randrange(22, 36)))
        birth = self._birth_date(age)

        if household_kind == RelationshipKind.HOUSEHOLD_MEMBER:
            style = self.plans[household_of].name_style
            family = self.plans[household_of].family
        else:
            style_draw = rng.random()
            style = ("mandarin" if style_draw < 1 - ENGLISH_NAME_SHARE
                     else "cantonese" if style_draw < 1 - ENGLISH_NAME_SHARE * 0.4 else "western")
            family = None
        if style == "mandarin":
            family_name, given_name, local_name, family = self._chinese_name(id_gender, family)
            # Shown in pinyin, as customer_create names a customer; the characters are the
            # profile's local name (and part of the search form).
            display = f"{family_name} {given_name}"
            language = "zh-hans" if rng.random() < 0.92 else "en"
        elif style == "cantonese":
            family = family or rng.choice(CANTONESE_FAMILY)
            _family, _given, local_name, family = self._chinese_name(id_gender, family)
            family_name = family[1]
            given_name = rng.choice(ENGLISH_MALE if id_gender == Gender.MALE else ENGLISH_FEMALE)
            display = f"{given_name} {family_name}"
            language = "zh-hant" if rng.random() < 0.6 else "en"
        else:
            family = family or ("", rng.choice(WESTERN_FAMILY))
            family_name = family[1]
            given_name = rng.choice(ENGLISH_MALE if id_gender == Gender.MALE else ENGLISH_FEMALE)
            local_name = ""
            display = f"{given_name} {family_name}"
            language = "en"

        if age < 23 and rng.random() < 0.7:
            occupation_row = OCCUPATIONS[-1]  # student
        elif age >= 62 and rng.random() < 0.8:
            occupation_row = OCCUPATIONS[-2]  # retired
        else:
            occupation_row = rng.choices(OCCUPATIONS[:-2], weights=_OCCUPATION_WEIGHTS[:-2])[0]
        occupation, employer_kind, median_income = occupation_row
        employer = self._employer(city, employer_kind, english=style == "western")
        income_factor = {Segment.MASS: 1.0, Segment.VIP: 2.4, Segment.PRIVATE: 7.0}[segment]
        if median_income == 0:
            # Students and homemakers: no income of their own, unless wealthy.
            income = (Decimal("0.00") if segment == Segment.MASS
                      else _round_to(_lognormal(rng, 80_000 * income_factor, 0.6), 1000))
        else:
            income = _round_to(_lognormal(rng, median_income * income_factor, 0.55), 1000)

        adult_since = _years_before(self.as_of, age - 18)
        earliest = max(adult_since, self.as_of - datetime.timedelta(days=25 * 365))
        if status == CustomerStatus.PROSPECT:
            since = self._date_between(self.as_of - datetime.timedelta(days=120),
                                       self.as_of - datetime.timedelta(days=3))
        elif status == CustomerStatus.DORMANT:
            since = self._date_between(min(earliest, self.as_of - datetime.timedelta(days=800)),
                                       self.as_of - datetime.timedelta(days=800))
        else:
            # An 18-year-old opened the account this month at the earliest.
            latest_since = self.as_of - datetime.timedelta(days=30)
            since = self._date_between(min(earliest, latest_since), latest_since)

        if household_kind and rng.random() < 0.85:
            address = self.plans[household_of].customer["address"]
        else:
            address = self._street_address(city)
        email = None
        if rng.random() < (0.92 if age < 60 else 0.5):
            if style != "western" and rng.random() < 0.35:
                email = f"{rng.randrange(10**7, 10**10)}@qq.com"
            else:
                handle = "".join(char for char in f"{given_name}.{family_name}".lower() if char.isascii()
                                 and (char.isalnum() or char == "."))
                suffix = rng.randrange(1, 999) if rng.random() < 0.7 else ""
                email = f"{handle}{suffix}@{rng.choice(EMAIL_DOMAINS)}"
        if style == "western":
            # Foreign nationals are identified by their passport number.
            id_number = f"{rng.choice('EGKPX')}{rng.randrange(10**7, 10**8)}"
        else:
            area = rng.choice(city.area_codes) if rng.random() < 0.55 else rng.choice(OTHER_AREA_CODES)
            id_number = self._resident_id(area, birth, id_gender)

        risk = self._risk_tolerance(age, segment)
        if age < 45:
            channel = rng.choice([Channel.MOBILE_APP, Channel.MOBILE_APP, Channel.MESSAGING, Channel.PHONE])
        else:
            channel = rng.choice([Channel.BRANCH, Channel.PHONE, Channel.PHONE, Channel.MOBILE_APP])
        plan = _Plan(
            kind=CustomerKind.INDIVIDUAL,
            branch_code=branch_code,
            manager_id=self._manager(branch_code),
            customer={
                "display_name": display,
                "status": status,
                "segment": segment,
                "since": since,
                "id_number": id_number,
                "phone": self._mobile(),
                "email": email,
                "address": address,
                "is_vulnerable": (age >= 78 and rng.random() < 0.3) or rng.random() < 0.004,
                "do_not_contact": rng.random() < 0.02,
            },
            profile={
                "given_name": given_name,
                "family_name": family_name,
                "local_name": local_name,
                "gender": gender,
                "date_of_birth": birth,
                "occupation": occupation,
                "employer": employer,
                "annual_income": income,
                "income_band": band_floor(income),
                "preferred_language": language,
                "preferred_channel": channel,
                "credit_rating": rng.choice(("A", "A", "B", "B", "B", "C")) if rng.random() < 0.6 else "",
                "risk_tolerance": risk,
            },
            age=age,
            gender=gender,
            name_style=style,
            family=family,
        )
        if household_of is not None:
            if household_kind == RelationshipKind.SPOUSE:
                plan.married_to = household_of
                self.plans[household_of].married_to = index
                plan.links_out.append((household_of, RelationshipKind.SPOUSE, "", None))
            else:
                role = "Son" if id_gender == Gender.MALE else "Daughter"
                plan.links_out.append((household_of, RelationshipKind.HOUSEHOLD_MEMBER, role, None))
        self._individual_holdings(plan, segment, status, since, risk)
        self._interactions(plan, since, status)
        self._needs(plan, since)
        return plan

    def _employer(self, city: City, kind: str, *, english: bool = False) -> str:
        rng = self.rng
        if kind == "company":
            a, b = rng.sample(TRADE_SYLLABLES, 2)
            industry = rng.choice(INDUSTRIES)
            if english:
                return f"{city.en} {(a[1] + b[1]).capitalize()} {industry[1]} Co., Ltd."
            return f"{city.zh}{a[0]}{b[0]}{industry[0]}有限公司"
        if kind == "hospital":
            return f"{city.zh}市{rng.choice(HOSPITALS)}"
        if kind == "school":
            return f"{city.zh}市{rng.choice(SCHOOLS)}"
        if kind == "university":
            return f"{city.zh}{rng.choice(UNIVERSITIES)}"
        if kind == "government":
            return f"{city.zh}{rng.choice(GOVERNMENT)}"
        if kind == "law":
            return f"{rng.choice(LAW_FIRMS)}{city.zh}分所"
        if kind == "own":
            return "Self-employed"
        return ""

    def _risk_tolerance(self, age: int, segment: str) -> str:
        if self.rng.random() < 0.08:
            return ""
        levels = list(RiskTolerance)
        centre = 2.2 if age < 40 else 1.6 if age < 60 else 0.8
        if segment == Segment.PRIVATE:
            centre += 0.6
        position = min(len(levels) - 1, max(0, round(self.rng.gauss(centre, 1.0))))
        return levels[position].value

    # Holdings ----------------------------------------------------------------------------

    def _holding(self, plan: _Plan, product_type: str, name: str, balance: Decimal, *, opened: datetime.date,
                 currency: str = "CNY", status: str = HoldingStatus.ACTIVE,
                 matures_on: datetime.date | None = None) -> None:
        plan.holdings.append(_HoldingPlan(
            product_type=product_type, product_name=name, balance=balance, currency=currency,
            status=status, opened_on=opened, matures_on=matures_on,
            account_number=self._account_number(product_type),
        ))

    def _split(self, total: Decimal, weights: Sequence[float]) -> list[Decimal]:
        scale = sum(weights)
        parts = [(total * Decimal(str(weight / scale))).quantize(CENT) for weight in weights]
        parts[0] += total - sum(parts)
        return parts

    def _individual_holdings(self, plan: _Plan, segment: str, status: str, since: datetime.date,
                             risk: str) -> None:
        rng = self.rng
        if status == CustomerStatus.PROSPECT:
            return
        if status == CustomerStatus.CLOSED:
            self._holding(plan, ProductType.CURRENT_ACCOUNT, "Everyday Current Account", Decimal("0.00"),
                          opened=since, status=HoldingStatus.CLOSED)
            return
        # Target assets under management inside the segment's band.
        if segment == Segment.PRIVATE:
            aum = min(_lognormal(rng, 12_000_000, 0.6), 150_000_000)
            aum = max(aum, float(PRIVATE_AUM) * 1.02)
        elif segment == Segment.VIP:
            aum = min(max(_lognormal(rng, 1_100_000, 0.6), float(VIP_AUM) * 1.02), float(PRIVATE_AUM) * 0.97)
        else:
            aum = min(_lognormal(rng, 28_000, 1.4), float(VIP_AUM) * 0.95)
            if status == CustomerStatus.DORMANT:
                aum = min(aum, 3_000.0)
        total = _money(max(aum, 10.0))
        aggressive = risk in (RiskTolerance.GROWTH, RiskTolerance.AGGRESSIVE)
        weights: list[tuple[str, str, float]] = [
            (ProductType.CURRENT_ACCOUNT, "Everyday Current Account", rng.uniform(0.05, 0.2)),
        ]
        if status == CustomerStatus.ACTIVE:
            if rng.random() < 0.55 or segment != Segment.MASS:
                weights.append((ProductType.SAVINGS_ACCOUNT, "Smart Saver Account", rng.uniform(0.1, 0.4)))
            if rng.random() < (0.35 if segment == Segment.MASS else 0.8):
                term = rng.choice((3, 6, 12, 24, 36))
                weights.append((ProductType.TERM_DEPOSIT, f"Fixed Deposit {term}M", rng.uniform(0.2, 0.6)))
            if rng.random() < (0.25 if segment == Segment.MASS else 0.85):
                days = rng.choice((90, 180, 365))
                level = rng.choice(("R2", "R3")) if not aggressive else rng.choice(("R3", "R4"))
                weights.append((ProductType.WEALTH_PRODUCT, f"Wealth Plus {days}-day ({level})",
                                rng.uniform(0.2, 0.7)))
            fund_share = 0.12 if segment == Segment.MASS else 0.6
            if rng.random() < fund_share or (aggressive and rng.random() < 0.4):
                fund = rng.choice(("China Growth Equity Fund", "Greater Bay Area Bond Fund",
                                   "Asia Pacific Balanced Fund", "Money Market Fund", "CSI 300 Index Fund",
                                   "Global Technology Fund (QDII)"))
                weights.append((ProductType.FUND, fund, rng.uniform(0.1, 0.5)))
            if rng.random() < (0.15 if segment == Segment.MASS else 0.5):
                policy = rng.choice(("Whole Life Protection", "Critical Illness Cover",
                                     "Education Savings Plan", "Annuity Retirement Plan"))
                weights.append((ProductType.INSURANCE, policy, rng.uniform(0.05, 0.3)))
        parts = self._split(total, [weight for _type, _name, weight in weights])
        for (product_type, name, _weight), amount in zip(weights, parts, strict=True):
            opened = self._date_between(since, self.as_of - datetime.timedelta(days=10))
            matures = None
            currency = "CNY"
            balance = amount
            if product_type == ProductType.TERM_DEPOSIT:
                months = int(name.split()[2].rstrip("M"))
                opened = self._date_between(max(since, self.as_of - datetime.timedelta(days=months * 30)),
                                            self.as_of - datetime.timedelta(days=5))
                matures = opened + datetime.timedelta(days=months * 30)
            elif product_type == ProductType.WEALTH_PRODUCT:
                days = int(name.split()[2].split("-")[0])
                opened = self._date_between(max(since, self.as_of - datetime.timedelta(days=days)),
                                            self.as_of - datetime.timedelta(days=2))
                matures = opened + datetime.timedelta(days=days)
            elif (product_type == ProductType.SAVINGS_ACCOUNT and segment != Segment.MASS
                  and rng.random() < 0.3):
                currency = rng.choice(("USD", "USD", "HKD", "EUR"))
                name = f"Foreign Currency Saver ({currency})"
                balance = (amount / self.rates[currency]).quantize(CENT)
            self._holding(plan, product_type, name, balance, opened=opened, currency=currency,
                          matures_on=matures)
        # Products that are not assets.
        if status == CustomerStatus.ACTIVE:
            if rng.random() < (0.45 if segment == Segment.MASS else 0.7) and plan.age >= 20:
                card = rng.choice(("Platinum Credit Card", "Gold Credit Card", "Travel Rewards Card")) \
                    if segment != Segment.MASS else rng.choice(("Classic Credit Card", "Gold Credit Card"))
                self._holding(plan, ProductType.CREDIT_CARD, card, _money(rng.uniform(0, 30_000)),
                              opened=self._date_between(since, self.as_of - datetime.timedelta(days=10)),
                              status=_arrears(rng, 0.015))
            if 25 <= plan.age <= 60 and rng.random() < (0.18 if segment == Segment.MASS else 0.35):
                years = rng.choice((15, 20, 25, 30))
                opened = self._date_between(max(since, self.as_of - datetime.timedelta(days=365 * 10)),
                                            self.as_of - datetime.timedelta(days=30))
                self._holding(plan, ProductType.MORTGAGE, f"Home Mortgage {years}Y",
                              _round_to(_lognormal(rng, 1_600_000 if segment == Segment.MASS else 3_500_000,
                                                   0.5), 1000),
                              opened=opened, matures_on=opened + datetime.timedelta(days=365 * years),
                              status=_arrears(rng, 0.01))
            if rng.random() < 0.06:
                opened = self._date_between(max(since, self.as_of - datetime.timedelta(days=700)),
                                            self.as_of - datetime.timedelta(days=15))
                self._holding(plan, ProductType.CONSUMER_LOAN, "Personal Instalment Loan",
                              _round_to(rng.uniform(20_000, 300_000), 1000), opened=opened,
                              matures_on=opened + datetime.timedelta(days=365 * rng.choice((1, 2, 3))))
            if rng.random() < 0.12 and since <= self.as_of - datetime.timedelta(days=400):
                opened = self._date_between(since, self.as_of - datetime.timedelta(days=400))
                self._holding(plan, ProductType.TERM_DEPOSIT, "Fixed Deposit 12M",
                              _round_to(rng.uniform(10_000, 200_000), 1000), opened=opened,
                              matures_on=opened + datetime.timedelta(days=360), status=HoldingStatus.MATURED)

    def _corporate_holdings(self, plan: _Plan, revenue: Decimal, status: str, since: datetime.date,
                            exporter: bool) -> None:
        rng = self.rng
        if status == CustomerStatus.PROSPECT:
            return
        if status == CustomerStatus.CLOSED:
            self._holding(plan, ProductType.CURRENT_ACCOUNT, "Business Current Account", Decimal("0.00"),
                          opened=since, status=HoldingStatus.CLOSED)
            return
        revenue_f = float(revenue)
        cash = revenue_f * rng.uniform(0.03, 0.15)
        if status == CustomerStatus.DORMANT:
            cash = min(cash, 50_000.0)
        parts = [("Business Current Account", ProductType.CURRENT_ACCOUNT, 0.45)]
        if status == CustomerStatus.ACTIVE:
            if rng.random() < 0.5:
                parts.append(("Corporate Time Deposit 6M", ProductType.TERM_DEPOSIT, 0.35))
            if revenue_f > 200_000_000 or rng.random() < 0.25:
                parts.append(("Liquidity Management (Cash Pooling)", ProductType.CASH_MANAGEMENT, 0.3))
        amounts = self._split(_money(cash), [weight for _name, _type, weight in parts])
        for (name, product_type, _weight), amount in zip(parts, amounts, strict=True):
            opened = self._date_between(since, self.as_of - datetime.timedelta(days=10))
            matures = None
            if product_type == ProductType.TERM_DEPOSIT:
                matures = opened + datetime.timedelta(days=180)
            if matures and matures <= self.as_of:
                # Rolled over: the current term started within the last six months.
                opened = max(since, self.as_of - datetime.timedelta(days=rng.randrange(5, 170)))
                matures = opened + datetime.timedelta(days=180)
            self._holding(plan, product_type, name, amount, opened=opened, matures_on=matures)
        if status != CustomerStatus.ACTIVE:
            return
        if exporter and rng.random() < 0.5:
            self._holding(plan, ProductType.CURRENT_ACCOUNT, "Business Current Account (USD)",
                          _money(revenue_f * rng.uniform(0.005, 0.03) / float(self.rates["USD"])),
                          currency="USD",
                          opened=self._date_between(since, self.as_of - datetime.timedelta(days=10)))
        if rng.random() < 0.6:
            years = rng.choice((1, 2, 3, 5))
            opened = self._date_between(max(since, self.as_of - datetime.timedelta(days=365 * years - 30)),
                                        self.as_of - datetime.timedelta(days=20))
            self._holding(plan, ProductType.CORPORATE_LOAN, f"Working Capital Loan {years}Y",
                          _round_to(revenue_f * rng.uniform(0.05, 0.3), 10_000), opened=opened,
                          matures_on=opened + datetime.timedelta(days=365 * years),
                          status=HoldingStatus.IN_ARREARS if rng.random() < 0.02 else HoldingStatus.ACTIVE)
        if exporter and rng.random() < 0.7:
            opened = self._date_between(max(since, self.as_of - datetime.timedelta(days=150)),
                                        self.as_of - datetime.timedelta(days=3))
            instrument = rng.choice(("Import Letter of Credit", "Export Invoice Financing",
                                     "Standby Letter of Credit", "Documentary Collection"))
            self._holding(plan, ProductType.TRADE_FINANCE, instrument,
                          _round_to(revenue_f * rng.uniform(0.01, 0.08) / float(self.rates["USD"]), 1000),
                          currency="USD", opened=opened, matures_on=opened + datetime.timedelta(days=180))
        if exporter and rng.random() < 0.4:
            opened = self._date_between(max(since, self.as_of - datetime.timedelta(days=300)),
                                        self.as_of - datetime.timedelta(days=3))
            self._holding(plan, ProductType.FX, rng.choice(("USD/CNY Forward", "EUR/CNY Forward", "FX Swap")),
                          _round_to(revenue_f * rng.uniform(0.01, 0.05) / float(self.rates["USD"]), 1000),
                          currency="USD", opened=opened, matures_on=opened + datetime.timedelta(days=365))

    # Corporates --------------------------------------------------------------------------

    def _corporate(self, branch_code: str) -> _Plan:
        rng = self.rng
        city = CITIES[BRANCH_PLAN[branch_code][0]]
        index = len(self.plans)
        status = self._status()
        zh_line, en_line, industry, exporter, median_revenue = rng.choice(INDUSTRIES)
        first, second = rng.sample(TRADE_SYLLABLES, 2)
        trade_zh = first[0] + second[0]
        trade_en = (first[1] + second[1]).capitalize()
        draw = rng.random()
        if draw < 0.03:
            segment = Segment.MULTINATIONAL
        elif draw < 0.15:
            segment = Segment.LARGE
        else:
            segment = Segment.SME
        if status in (CustomerStatus.PROSPECT, CustomerStatus.CLOSED):
            segment = Segment.SME
        if segment == Segment.SME:
            revenue = min(_lognormal(rng, median_revenue * 0.4, 0.9), float(LARGE_REVENUE) * 0.95)
            countries = ["CN"] + (rng.sample(EXPORT_MARKETS, 1) if exporter and rng.random() < 0.4 else [])
        elif segment == Segment.LARGE:
            revenue = min(max(_lognormal(rng, 1_200_000_000, 0.6), float(LARGE_REVENUE) * 1.02), 20e9)
            countries = ["CN"] + (rng.sample(EXPORT_MARKETS, 1) if rng.random() < 0.5 else [])
        else:
            revenue = min(max(_lognormal(rng, 4_000_000_000, 0.8), float(LARGE_REVENUE) * 1.02), 80e9)
            countries = ["CN", *rng.sample(EXPORT_MARKETS, rng.randrange(2, 7))]
        revenue_d = _round_to(revenue, 10_000)
        employees = max(3, int(float(revenue_d) / rng.uniform(400_000, 1_500_000)))
        if segment == Segment.MULTINATIONAL and rng.random() < 0.5:
            form_zh, form_en = "(中国)有限公司", " (China) Co., Ltd."
        elif segment != Segment.SME and rng.random() < 0.5:
            form_zh, form_en = "集团有限公司", " Group Co., Ltd."
        elif rng.random() < 0.15:
            form_zh, form_en = "股份有限公司", " Co., Ltd. (joint stock)"
        else:
            form_zh, form_en = "有限公司", " Co., Ltd."
        legal_name = f"{city.zh}{trade_zh}{zh_line}{form_zh}"
        display = f"{city.en} {trade_en} {en_line}{form_en}"
        since = self._date_between(self.as_of - datetime.timedelta(days=20 * 365),
                                   self.as_of - datetime.timedelta(days=30))
        if status == CustomerStatus.PROSPECT:
            since = self._date_between(self.as_of - datetime.timedelta(days=120),
                                       self.as_of - datetime.timedelta(days=3))
        plan = _Plan(
            kind=CustomerKind.CORPORATE,
            branch_code=branch_code,
            manager_id=self._manager(branch_code),
            customer={
                "display_name": display,
                "status": status,
                "segment": segment,
                "since": since,
                "id_number": self._usci(city),
                "phone": self._landline(city) if rng.random() < 0.8 else self._mobile(),
                "email": f"{rng.choice(MAILBOXES)}@{trade_en.lower()}-{en_line.split()[0].lower()}.com.cn",
                "address": self._street_address(city, company=True),
                "is_vulnerable": False,
                "do_not_contact": rng.random() < 0.01,
            },
            profile={
                "legal_name": legal_name,
                "industry": industry,
                "employees": employees,
                "annual_revenue": revenue_d,
                "revenue_band": band_floor(revenue_d),
                "countries_of_operation": countries,
                "parent_group": "",
                "credit_rating": rng.choice(CREDIT_RATINGS) if status != CustomerStatus.PROSPECT else "",
            },
        )
        # Directors, shareholders and a key contact among the branch's individual customers.
        officers = self.individuals_by_branch[branch_code][-200:]
        if officers:
            chosen = rng.sample(officers, min(len(officers), rng.randrange(1, 4)))
            remaining = Decimal("100")
            for position, officer in enumerate(chosen):
                if self.plans[officer].age < 25:
                    continue
                if position == 0:
                    share = _money(rng.uniform(30, 80)) if segment == Segment.SME else None
                    role = "Legal representative and director" if share else "Director"
                    plan_kind = RelationshipKind.SHAREHOLDER if share else RelationshipKind.DIRECTOR
                    self.plans[officer].links_out.append((index, plan_kind, role, share))
                    if share:
                        remaining -= share
                elif position == 1 and segment == Segment.SME and remaining > 5:
                    share = _money(rng.uniform(5, float(remaining)))
                    self.plans[officer].links_out.append(
                        (index, RelationshipKind.SHAREHOLDER, "Shareholder", share))
                else:
                    role = rng.choice(("Chief financial officer", "Treasurer", "Finance manager"))
                    self.plans[officer].links_out.append((index, RelationshipKind.KEY_CONTACT, role, None))
        # Some companies belong to a group that is also a customer.
        parents = [candidate for candidate in self.corporates_by_branch[branch_code]
                   if self.plans[candidate].customer["segment"] != Segment.SME]
        if parents and segment == Segment.SME and rng.random() < 0.25:
            parent = rng.choice(parents)
            plan.profile["parent_group"] = self.plans[parent].profile["legal_name"]
            self.plans[parent].links_out.append((index, RelationshipKind.PARENT_COMPANY, "", _money(
                rng.choice((51, 60, 75, 100)))))
        self._corporate_holdings(plan, revenue_d, status, since, exporter or len(countries) > 1)
        self._interactions(plan, since, status)
        self._needs(plan, since)
        return plan

    # Interactions and needs --------------------------------------------------------------

    def _interactions(self, plan: _Plan, since: datetime.date, status: str) -> None:
        rng = self.rng
        segment = plan.customer["segment"]
        corporate = plan.kind == CustomerKind.CORPORATE
        low, high = {
            Segment.MASS: (2, 9), Segment.VIP: (6, 16), Segment.PRIVATE: (12, 26),
            Segment.SME: (5, 14), Segment.LARGE: (10, 22), Segment.MULTINATIONAL: (14, 28),
        }[segment]
        count = rng.randint(low, high)
        latest = None
        if status == CustomerStatus.DORMANT:
            # Dormant: no contact for more than a year.
            count = rng.randint(0, 2)
            latest = self.as_of - datetime.timedelta(days=400)
        elif status in (CustomerStatus.PROSPECT, CustomerStatus.CLOSED):
            count = rng.randint(1, 3)
        chinese = plan.profile.get("preferred_language", "zh-hans") != "en" and (
            not corporate or rng.random() < 0.7)
        templates = CORPORATE_TEMPLATES if corporate else RETAIL_TEMPLATES
        if status == CustomerStatus.PROSPECT:
            templates = PROSPECT_TEMPLATES
        for _ in range(count):
            channel, interaction_type, english, chinese_text, author = rng.choice(templates)
            occurred = self._moment(since, latest)
            amount = self._amount_words(plan, chinese)
            product_en, product_zh = rng.choice(PRODUCT_MENTIONS)
            text = (chinese_text if chinese else english).format(
                amount=amount, product=product_zh if chinese else product_en, month=occurred.month,
            )
            staff_id = None
            system = ""
            if author == "system":
                system = SYSTEM_BY_CHANNEL[channel]
            elif author == "counter" and plan.branch_code in self.floor_staff:
                staff_id = self.floor_staff[plan.branch_code]
            else:
                staff_id = plan.manager_id
            plan.interactions.append({
                "channel": channel, "interaction_type": interaction_type, "summary": text,
                "staff_id": staff_id, "system": system, "occurred_at": occurred,
            })

    def _amount_words(self, plan: _Plan, chinese: bool) -> str:
        if plan.kind == CustomerKind.CORPORATE:
            value = int(self.rng.choice((5, 10, 20, 30, 50, 80, 100, 200, 500)) * 10_000)
            if plan.customer["segment"] != Segment.SME:
                value *= 10
        else:
            value = int(self.rng.choice((1, 2, 3, 5, 8, 10, 20, 30, 50)) * 10_000)
            if plan.customer["segment"] == Segment.PRIVATE:
                value *= 20
            elif plan.customer["segment"] == Segment.VIP:
                value *= 4
        if chinese:
            return f"{value // 10_000}万元"
        return f"CNY {value:,}"

    def _needs(self, plan: _Plan, since: datetime.date) -> None:
        rng = self.rng
        if plan.customer["status"] == CustomerStatus.CLOSED:
            return
        chinese = plan.profile.get("preferred_language", "zh-hans") != "en"
        catalogue = NEEDS_BY_KIND[plan.kind]
        for need_type in rng.sample(list(catalogue), rng.choice((0, 1, 1, 1, 2, 2, 3))):
            status = rng.choices(list(NeedStatus), weights=(45, 25, 22, 8))[0]
            notes = NEED_NOTES[need_type]
            note = None
            if rng.random() < 0.7:
                english, chinese_text = rng.choice(notes)
                note = chinese_text if chinese else english
            plan.needs.append({
                "need_type": need_type, "status": status, "note": note,
                "recorded_by_id": plan.manager_id, "recorded_at": self._moment(since),
            })


# Summaries: (channel, type, English, Chinese, author: "rm" | "counter" | "system").
RETAIL_TEMPLATES = (
    (Channel.BRANCH, InteractionType.SERVICE, "Updated contact details at the counter and verified identity.",
     "柜台更新联系方式，已核验身份。", "counter"),
    (Channel.BRANCH, InteractionType.SERVICE, "Replaced a damaged debit card; new card issued on the spot.",
     "补办损坏的借记卡，已现场发卡。", "counter"),
    (Channel.BRANCH, InteractionType.ADVICE,
     "Annual portfolio review: customer prefers lower-risk products; suggested laddering term deposits.",
     "年度资产检视：客户偏好低风险产品，建议定期存款分散到期。", "rm"),
    (Channel.BRANCH, InteractionType.SALES,
     "Subscribed {amount} to {product} after a suitability assessment.",
     "完成风险评估后认购{product}，金额{amount}。", "rm"),
    (Channel.PHONE, InteractionType.FOLLOW_UP,
     "Follow-up call on the maturing term deposit; customer will renew for 12 months.",
     "定期存款到期回访，客户表示续存12个月。", "rm"),
    (Channel.PHONE, InteractionType.FOLLOW_UP, "Called to confirm the wealth product redemption of {amount}.",
     "致电确认理财产品赎回{amount}。", "rm"),
    (Channel.PHONE, InteractionType.COMPLAINT,
     "Customer complained about the waiting time at the branch; apologised and logged the complaint.",
     "客户投诉网点排队时间过长，已致歉并登记投诉。", "counter"),
    (Channel.PHONE, InteractionType.SERVICE, "Card temporarily blocked after a lost-card report.",
     "客户挂失银行卡，已临时冻结。", "system"),
    (Channel.MOBILE_APP, InteractionType.TRANSACTION,
     "Large transfer of {amount} confirmed in the mobile app.",
     "手机银行大额转账{amount}已确认。", "system"),
    (Channel.MOBILE_APP, InteractionType.NOTIFICATION, "Credit card statement for month {month} is ready.",
     "{month}月信用卡账单已出。", "system"),
    (Channel.MOBILE_APP, InteractionType.SALES, "Bought {product} for {amount} in the app.",
     "通过手机银行购买{product}，金额{amount}。", "system"),
    (Channel.ONLINE_BANKING, InteractionType.TRANSACTION, "Online purchase of USD for overseas tuition.",
     "网银购汇用于支付海外学费。", "system"),
    (Channel.ONLINE_BANKING, InteractionType.NOTIFICATION, "Password changed; security notice sent.",
     "网银登录密码已修改，已发送安全提醒。", "system"),
    (Channel.EMAIL, InteractionType.NOTIFICATION, "Monthly wealth statement sent by e-mail.",
     "月度理财对账单已通过电子邮件发送。", "system"),
    (Channel.EMAIL, InteractionType.ADVICE, "Sent the quarterly market outlook and a rebalancing proposal.",
     "发送季度市场展望及资产再平衡建议。", "rm"),
    (Channel.MESSAGING, InteractionType.SERVICE,
     "WeChat enquiry about mortgage prepayment; explained the fees.",
     "微信咨询房贷提前还款，已解释相关费用。", "rm"),
    (Channel.MESSAGING, InteractionType.FOLLOW_UP,
     "Sent a birthday greeting and invited to the client seminar.",
     "发送生日祝福并邀请参加客户讲座。", "rm"),
    (Channel.LETTER, InteractionType.NOTIFICATION, "Annual account statement posted.",
     "年度对账单已邮寄。", "system"),
)
CORPORATE_TEMPLATES = (
    (Channel.BRANCH, InteractionType.ADVICE,
     "Credit review meeting with the CFO: renewal of the working capital line of {amount}.",
     "与财务总监召开授信评审会议，续授流动资金贷款额度{amount}。", "rm"),
    (Channel.BRANCH, InteractionType.SALES, "Signed the cash pooling agreement for the group's subsidiaries.",
     "签署集团子公司资金池协议。", "rm"),
    (Channel.PHONE, InteractionType.ADVICE, "Discussed hedging USD receivables of {amount} with forwards.",
     "与客户讨论以远期合约对冲美元应收账款{amount}。", "rm"),
    (Channel.PHONE, InteractionType.FOLLOW_UP,
     "Chased the audited financial statements for the annual review.",
     "催收年度授信复审所需的审计报告。", "rm"),
    (Channel.EMAIL, InteractionType.SERVICE, "Issued an import letter of credit for equipment, {amount}.",
     "开立设备进口信用证，金额{amount}。", "rm"),
    (Channel.EMAIL, InteractionType.NOTIFICATION, "Loan interest payment reminder sent.",
     "已发送贷款利息还款提醒。", "system"),
    (Channel.ONLINE_BANKING, InteractionType.TRANSACTION,
     "Payroll batch of {amount} released in corporate banking.",
     "企业网银发放工资批量{amount}。", "system"),
    (Channel.ONLINE_BANKING, InteractionType.TRANSACTION, "Cross-border payment to a supplier released.",
     "向境外供应商的跨境付款已放行。", "system"),
    (Channel.MESSAGING, InteractionType.SERVICE, "Treasurer asked about the new e-CNY merchant settlement.",
     "财务主管咨询数字人民币商户结算业务。", "rm"),
    (Channel.LETTER, InteractionType.NOTIFICATION, "Bank confirmation letter for the auditors posted.",
     "审计询证函回函已寄出。", "system"),
    (Channel.PHONE, InteractionType.COMPLAINT,
     "Complained about a delayed SWIFT payment; traced and resolved.",
     "客户投诉境外汇款延迟，已查询并处理。", "rm"),
)
PROSPECT_TEMPLATES = (
    (Channel.BRANCH, InteractionType.SALES, "Walk-in enquiry about opening an account; brochure provided.",
     "到店咨询开户事宜，已提供产品资料。", "counter"),
    (Channel.PHONE, InteractionType.FOLLOW_UP,
     "Introductory call after a referral from an existing customer.",
     "经老客户推荐，进行初次电话沟通。", "rm"),
    (Channel.EMAIL, InteractionType.SALES, "Sent the account opening checklist.",
     "已发送开户所需材料清单。", "rm"),
)
SYSTEM_BY_CHANNEL = {
    Channel.PHONE: "call-centre",
    Channel.MOBILE_APP: "mobile-banking",
    Channel.ONLINE_BANKING: "online-banking",
    Channel.EMAIL: "notification-service",
    Channel.LETTER: "statement-service",
    Channel.MESSAGING: "wechat-service",
    Channel.BRANCH: "branch-teller",
}
# (English, Chinese)
PRODUCT_MENTIONS = (
    ("Wealth Plus 180-day", "“财富增益180天”理财产品"),
    ("a 12-month fixed deposit", "12个月定期存款"),
    ("the CSI 300 Index Fund", "沪深300指数基金"),
    ("the Greater Bay Area Bond Fund", "大湾区债券基金"),
    ("the Education Savings Plan", "子女教育储蓄计划"),
)

NEED_NOTES = {
    NeedType.WEALTH_GROWTH: (
        ("Wants higher returns than deposits for surplus savings.", "希望闲置资金获得高于存款的收益。"),
        ("Planning for a child's overseas education in three years.", "计划三年后为子女出国留学准备资金。"),
    ),
    NeedType.ASSET_PRESERVATION: (
        ("Prefers capital-protected products; retiring next year.", "明年退休，偏好保本类产品。"),
        ("Concerned about inflation eroding cash savings.", "担心通胀侵蚀现金储蓄。"),
    ),
    NeedType.CONSUMER_CREDIT: (
        ("Renovating the flat; may need an instalment loan.", "装修房屋，可能需要分期贷款。"),
        ("Asked about buying a car with a loan.", "咨询贷款购车。"),
    ),
    NeedType.INVESTMENT: (
        ("Interested in QDII funds for overseas exposure.", "对QDII基金配置海外资产感兴趣。"),
        ("Wants a monthly fund investment plan.", "希望办理基金定投。"),
    ),
    NeedType.FINANCING: (
        ("Expansion of the production line needs medium-term financing.", "扩建生产线需要中期融资。"),
        ("Seasonal working capital gap before the holiday season.", "节前存在季节性流动资金缺口。"),
    ),
    NeedType.SETTLEMENT: (
        ("Needs faster supplier payments across provinces.", "需要提升跨省供应商付款效率。"),
    ),
    NeedType.CASH_MANAGEMENT: (
        ("Group wants visibility of subsidiaries' balances.", "集团希望统一查看子公司账户余额。"),
        ("Idle cash could go into a structured deposit.", "闲置资金可考虑结构性存款。"),
    ),
    NeedType.INTERNATIONAL_BUSINESS: (
        ("Growing exports to Southeast Asia; FX risk to hedge.", "对东南亚出口增长，需要对冲汇率风险。"),
        ("Opening a Hong Kong subsidiary; needs cross-border accounts.",
         "拟设立香港子公司，需要跨境账户服务。"),
    ),
}


# --- Writing ----------------------------------------------------------------------------------

def _aum(holdings: Sequence[_HoldingPlan], rates: dict[str, Decimal], currency: str) -> Decimal:
    """AUM exactly as customers.services.customers_refresh_aum computes it."""
    total = Decimal("0")
    for holding in holdings:
        if holding.status != HoldingStatus.ACTIVE or holding.product_type not in ASSET_PRODUCTS:
            continue
        if holding.balance <= 0:
            continue
        total += holding.balance if holding.currency == currency else holding.balance * rates.get(
            holding.currency, Decimal("0"))
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def _segment_for(plan: _Plan, aum: Decimal) -> str:
    """The segment the default rules (customers migration 0003) give these figures.

    `segments_recompute` runs afterwards when the rules engine is configured; placing the
    customers right here keeps the demo consistent even without it.
    """
    if plan.kind == CustomerKind.INDIVIDUAL:
        if aum >= PRIVATE_AUM:
            return Segment.PRIVATE
        if aum >= VIP_AUM or (plan.profile["income_band"] or 0) >= VIP_INCOME:
            return Segment.VIP
        return Segment.MASS
    countries = len(plan.profile["countries_of_operation"])
    revenue = plan.profile["revenue_band"] or 0
    if (countries >= MULTINATIONAL_COUNTRIES and revenue >= LARGE_REVENUE) or countries >= GLOBAL_COUNTRIES:
        return Segment.MULTINATIONAL
    if revenue >= LARGE_REVENUE or (plan.profile["employees"] or 0) >= LARGE_EMPLOYEES:
        return Segment.LARGE
    return Segment.SME


def _copy_rows(model: type[models.Model], rows: list[dict], *, now: datetime.datetime) -> None:
    """Write `rows` (dicts keyed by attname, plaintext for encrypted fields) with COPY.

    Every concrete column is written: encrypted fields through the field's own
    `encrypt_value` (same token format and context as `save()`), blind indexes through
    `BlindIndexField.compute` on the source's plaintext, `auto_now`/`auto_now_add` columns
    with `now`, and columns a row leaves out with the field's default. The primary key is
    written only when the rows carry it.
    """
    if not rows:
        return
    fields = [item for item in model._meta.concrete_fields
              if not (item.primary_key and item.attname not in rows[0])]
    converters: list[Callable[[dict], object]] = []
    for item in fields:
        converters.append(_converter(model, item, now))
    columns = ", ".join(connection.ops.quote_name(item.column) for item in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([convert(row) for convert in converters])


def _converter(model: type[models.Model], item: models.Field,
               now: datetime.datetime) -> Callable[[dict], object]:
    attname = item.attname
    if isinstance(item, EncryptedField):
        def encrypted(row: dict) -> object:
            value = row.get(attname)
            return None if value is None or value == "" else item.encrypt_value(value)
        return encrypted
    if isinstance(item, BlindIndexField):
        source = model._meta.get_field(item.source).attname

        def index(row: dict) -> object:
            value = row.get(source)
            return "" if value is None or value == "" else item.compute(value)
        return index
    if getattr(item, "auto_now", False) or getattr(item, "auto_now_add", False):
        return lambda row: row.get(attname, now)
    if isinstance(item, models.JSONField):
        return lambda row: json.dumps(row[attname] if attname in row else item.get_default())
    if item.has_default():
        default = item.get_default()
        return lambda row: row.get(attname, default)
    return lambda row: row.get(attname)


def _allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys from the table's identity sequence (so COPY can write them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [value for (value,) in cursor.fetchall()]


def _write_batch(plans: list[_Plan], *, numbers: list[str], branches: dict[str, Branch],
                 rates: dict[str, Decimal], currency: str, as_of: datetime.date,
                 rng: random.Random) -> DemoStats:
    stats = DemoStats()
    now = timezone.now()
    zone = timezone.get_current_timezone()
    ids = _allocate_ids(Customer, len(plans))
    customers, individuals, corporates, holdings, interactions, needs, events = [], [], [], [], [], [], []
    relationships: dict[tuple[int, int, str], dict] = {}
    by_manager: dict[int, list[int]] = defaultdict(list)
    for plan, number, customer_id in zip(plans, numbers, ids, strict=True):
        aum = _aum(plan.holdings, rates, currency)
        segment = _segment_for(plan, aum)
        stats.segments[segment] += 1
        names = [plan.customer["display_name"]]
        if plan.kind == CustomerKind.INDIVIDUAL:
            profile = plan.profile
            names += [f"{profile['family_name']} {profile['given_name']}",
                      f"{profile['given_name']} {profile['family_name']}", profile["local_name"]]
            individuals.append({"customer_id": customer_id, **plan.profile})
        else:
            names.append(plan.profile["legal_name"])
            corporates.append({"customer_id": customer_id, **plan.profile})
        since = plan.customer["since"]
        customers.append({
            **plan.customer,
            "id": customer_id, "number": number, "kind": plan.kind, "segment": segment,
            "home_branch_id": branches[plan.branch_code].pk, "relationship_manager_id": plan.manager_id,
            "search_name": search_name(*names), "external_reference": f"CBS-{number[1:]}", "aum": aum,
            "last_contact_at": max((item["occurred_at"] for item in plan.interactions), default=None),
            "segment_since": max(since, as_of - datetime.timedelta(days=rng.randrange(30, 1100))),
        })
        if plan.manager_id:
            by_manager[plan.manager_id].append(customer_id)
        for item in plan.holdings:
            holdings.append({
                "customer_id": customer_id, "product_type": item.product_type,
                "product_name": item.product_name, "account_number": item.account_number,
                "account_last4": item.account_number[-4:], "balance": item.balance, "currency": item.currency,
                "status": item.status, "opened_on": item.opened_on, "matures_on": item.matures_on,
            })
        interactions.extend({"customer_id": customer_id, **item} for item in plan.interactions)
        needs.extend({"customer_id": customer_id, **item} for item in plan.needs)
        events.append({
            "customer_id": customer_id, "kind": CustomerEventKind.CREATED, "data": {"source": "demo"},
            "occurred_at": datetime.datetime.combine(since, datetime.time(10), tzinfo=zone),
        })
        for other, kind, role, share in plan.links_out:
            key = (customer_id, ids[other], kind)
            relationships[key] = {"from_customer_id": customer_id, "to_customer_id": ids[other], "kind": kind,
                                  "role": role, "share_percent": share}
    # Parents before children: the foreign keys are checked row by row.
    _copy_rows(Customer, customers, now=now)
    _copy_rows(IndividualProfile, individuals, now=now)
    _copy_rows(CorporateProfile, corporates, now=now)
    _copy_rows(Holding, holdings, now=now)
    _copy_rows(Interaction, interactions, now=now)
    _copy_rows(Need, needs, now=now)
    _copy_rows(Relationship, list(relationships.values()), now=now)
    _copy_rows(CustomerEvent, events, now=now)
    for manager_id, customer_ids in by_manager.items():
        grant_book_permissions(user_id=manager_id, customer_ids=customer_ids)
    stats.customers = len(customers)
    stats.individuals = len(individuals)
    stats.corporates = len(corporates)
    stats.holdings = len(holdings)
    stats.interactions = len(interactions)
    stats.needs = len(needs)
    stats.relationships = len(relationships)
    return stats


# --- Organisation -----------------------------------------------------------------------------

def _branch_counts(customers: int) -> dict[str, int]:
    """Expected customers per branch (for staffing; the draw itself is random)."""
    return {code: max(1, round(customers * share)) for code, (_city, share) in BRANCH_PLAN.items()}


def ensure_relationship_managers(*, customers: int, seed: int) -> tuple[dict[str, list[int]], int]:
    """Relationship managers per customer branch, creating demo RMs so that `customers`
    customers make books of about BOOK_SIZE; return ({branch code: [user ids]}, created).

    Every active RM of a branch is returned, so a bank staffed for more customers spreads a
    smaller load over all of them. New RMs are `rm.<branch>.<nnn>`, with the demo password
    (hashed once) and pinyin names drawn from the seed. Safe to run again.
    Raise `Branch.DoesNotExist` if the organisation has not been loaded.
    """
    branches = _customer_branches()
    User = get_user_model()
    group, _created = Group.objects.get_or_create(name=Role.RELATIONSHIP_MANAGER.value)
    existing: dict[str, list[int]] = defaultdict(list)
    for user_id, code in (
        User.objects.filter(groups=group, is_active=True, staff_profile__branch__code__in=list(branches))
        .order_by("pk").values_list("pk", "staff_profile__branch__code")
    ):
        existing[code].append(user_id)
    password_hash = None
    created = 0
    rng = random.Random(f"demo-staff:{seed}")
    for code, expected in _branch_counts(customers).items():
        needed = max(1, math.ceil(expected / BOOK_SIZE))
        number = 0
        while len(existing[code]) < needed:
            number += 1
            username = f"rm.{code.lower()}.{number:03d}"
            gender = rng.choice([Gender.MALE, Gender.FEMALE])
            pool = GIVEN_MALE if gender == Gender.MALE else GIVEN_FEMALE
            family = rng.choices(FAMILY_NAMES, weights=_FAMILY_WEIGHTS)[0][1]
            given = "".join(syllable for _char, syllable in rng.sample(pool, 2)).capitalize()
            user = User.objects.filter(username=username).first()
            if user is None:
                if password_hash is None:
                    password_hash = make_password(demo_password())
                user = User.objects.create(
                    username=username, first_name=given, last_name=family, email=f"{username}@bank.example",
                    password=password_hash,
                )
                StaffProfile.objects.create(user=user, branch=branches[code],
                                            employee_number=f"R{code}{number:03d}",
                                            title="Relationship manager")
                user.groups.add(group)
                created += 1
            if user.pk not in existing[code]:
                existing[code].append(user.pk)
    return {code: existing[code] for code in BRANCH_PLAN}, created


def _customer_branches() -> dict[str, Branch]:
    branches = {branch.code: branch for branch in Branch.objects.filter(code__in=CUSTOMER_BRANCHES)}
    missing = set(BRANCH_PLAN) - set(branches)
    if missing:
        raise Branch.DoesNotExist(f"Load the organisation first: branches {sorted(missing)} are missing.")
    return branches


def _floor_staff(branches: dict[str, Branch]) -> dict[str, int]:
    """One branch-staff member per branch that has one (they log counter interactions)."""
    staff: dict[str, int] = {}
    for user_id, code in (
        get_user_model().objects.filter(groups__name=Role.BRANCH_STAFF.value, is_active=True,
                                        staff_profile__branch__code__in=list(branches))
        .order_by("pk").values_list("pk", "staff_profile__branch__code")
    ):
        staff.setdefault(code, user_id)
    return staff


def _ensure_exchange_rates(as_of: datetime.date) -> dict[str, Decimal]:
    """The rates AUM uses; demo rates are added only for currencies that have none."""
    rates = dict(ExchangeRate.objects.values_list("currency", "rate"))
    missing = [ExchangeRate(currency=currency, rate=rate, as_of=as_of)
               for currency, rate in DEMO_RATES.items() if currency not in rates]
    ExchangeRate.objects.bulk_create(missing)
    rates.update({item.currency: item.rate for item in missing})
    return rates


def _recompute_segments() -> str | None:
    """Run the rules engine (customers.segmentation) if it is there and configured."""
    try:
        from customers.segmentation import SegmentationNotConfigured, segments_recompute
    except ImportError:
        return None
    try:
        result = segments_recompute()
    except SegmentationNotConfigured:
        return "No active segment rules: segments stay as generated."
    return (f"Segments checked against rule set v{result.version}: {result.scanned:,} customers, "
            f"{result.segment_changes:,} changed")


@dataclass(frozen=True)
class _RunContext:
    """What every batch needs; set before worker processes fork."""

    seed: int
    total: int
    batch_size: int
    as_of: datetime.date
    managers: dict[str, list[int]]
    floor_staff: dict[str, int]
    rates: dict[str, Decimal]
    branches: dict[str, Branch]
    currency: str


_context: _RunContext | None = None


def _generate_batch(batch: int) -> DemoStats:
    """Plan and write batch number `batch` in one transaction (in this process or a worker)."""
    context = _context
    if context is None:
        raise RuntimeError("_generate_batch runs only inside seed_customers().")
    size = min(context.batch_size, context.total - batch * context.batch_size)
    rng = random.Random(f"demo-customers:{context.seed}:{batch}")
    generator = _BatchGenerator(rng=rng, as_of=context.as_of, managers=context.managers,
                                floor_staff=context.floor_staff, rates=context.rates)
    plans = generator.plan_batch(size)
    with transaction.atomic():
        numbers = next_customer_numbers(size)
        return _write_batch(plans, numbers=numbers, branches=context.branches, rates=context.rates,
                            currency=context.currency, as_of=context.as_of, rng=rng)


def _worker_start() -> None:
    # Each forked worker opens its own database connection.
    connections.close_all()


def _run_batches(batches: int, workers: int) -> Iterator[DemoStats]:
    if workers <= 1:
        for batch in range(batches):
            yield _generate_batch(batch)
        return
    connections.close_all()  # a connection must not be shared across fork
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start)
    try:
        yield from pool.imap_unordered(_generate_batch, range(batches))
    finally:
        pool.terminate()
        pool.join()


def seed_customers(*, customers: int, seed: int, as_of: datetime.date | None = None,
                   batch_size: int = BATCH_SIZE, workers: int = 1) -> Iterator[str]:
    """Generate `customers` demo customers; yield progress lines (no personal data in them).

    Runs after `crm.demo.seed_organisation()`. Does nothing if customers already exist, so
    `seed_demo` can run twice. `as_of` is the demo's "today" (default: the local date).
    `workers` > 1 plans and writes batches in that many forked processes (for bank-scale
    benchmarks): each batch's content stays determined by the seed, but which customer
    numbers each batch gets then depends on timing.
    Raise `Branch.DoesNotExist` if the organisation has not been loaded.
    """
    global _context
    if customers <= 0:
        return
    if Customer.objects.exists():
        yield "Customers already loaded; not generating more."
        return
    branches = _customer_branches()
    as_of = as_of or timezone.localdate()
    started = time.perf_counter()
    with transaction.atomic():
        managers, created = ensure_relationship_managers(customers=customers, seed=seed)
        rates = _ensure_exchange_rates(as_of)
    _context = _RunContext(
        seed=seed, total=customers, batch_size=batch_size, as_of=as_of, managers=managers,
        floor_staff=_floor_staff(branches), rates=rates, branches=branches, currency=settings.BANK_CURRENCY,
    )
    yield (f"Relationship managers: {sum(len(ids) for ids in managers.values())} "
           f"({created} created for books of about {BOOK_SIZE:,} customers)")
    total = DemoStats(relationship_managers_created=created)
    batches = math.ceil(customers / batch_size)
    report_every = max(1, batches // 20)
    try:
        for done, stats in enumerate(_run_batches(batches, workers), start=1):
            total.add(stats)
            if done % report_every == 0 or done == batches:
                elapsed = time.perf_counter() - started
                yield (f"Customers: {total.customers:,}/{customers:,} "
                       f"({total.customers / elapsed:,.0f} customers/s)")
    finally:
        _context = None
    customers_refresh_aum()
    summary = _recompute_segments()
    if summary:
        yield summary
    elapsed = time.perf_counter() - started
    yield (f"Generated {total.customers:,} customers ({total.individuals:,} individuals, "
           f"{total.corporates:,} corporates), {total.holdings:,} holdings, {total.interactions:,} "
           f"interactions, {total.needs:,} needs, {total.relationships:,} relationships in {elapsed:.1f} s "
           f"({total.customers / elapsed:,.0f} customers/s)")
