"""Synthetic people for demo and test data: generated names, valid-looking ID numbers, made-up
phone numbers. Nothing here belongs to a real person."""

from __future__ import annotations

import random
from datetime import date, timedelta

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力宁梅琳晨浩宇欣怡子轩涵梓睿嘉鑫佳雪婷"
    "俊峰凯鹏飞斌波晓东亮海燕雯倩颖慧巧美娅丹彤璐琪楠蕾薇馨瑶晗然博智勋哲铭昊瑞翔阳帆宏志"
)
# Ethnic groups common in the seed county (Altay, Xinjiang), for realistic distributions.
ETHNICITIES = [("汉族", 55), ("哈萨克族", 33), ("回族", 6), ("维吾尔族", 3), ("蒙古族", 2), ("其他", 1)]


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def birth_date(rng: random.Random, *, min_age: int, max_age: int, today: date | None = None) -> date:
    today = today or date.today()
    days = rng.randint(min_age * 365, max_age * 365)
    return today - timedelta(days=days)
