//! The words charts use, in each language. Charts are drawn before the theme is loaded (the
//! chart ids are needed to check commentary), so their vocabulary lives here rather than in the
//! theme's strings.yaml; everything else a chart says comes from the data.

use crate::model::{Category, FigureKind, Lang, Per};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum W {
    Target,
    Current,
    PerYear,
    Total,
    Place,
    Figure,
    Type,
    Value,
    Date,
    Per100k,
    Per100kShort,
    Per100kHeading,
    NoPopulation,
    Sources,
    DataCsv,
    ImageSvg,
    Embed,
    EmbedCode,
    EmbedHelp,
    ViewOnSite,
    ShowNumbers,
    Tier,
    Category,
    Targets,
    CurrentFigures,
    NumberOfFigures,
    Period,
}

pub fn w(word: W, lang: Lang) -> &'static str {
    use W::*;
    match lang {
        Lang::En => match word {
            Target => "Target",
            Current => "Current figure",
            PerYear => "per year",
            Total => "total",
            Place => "Place",
            Figure => "Figure",
            Type => "Type",
            Value => "Value",
            Date => "Deadline or date",
            Per100k => "Per 100,000 residents (derived)",
            Per100kShort => "per 100,000 residents",
            Per100kHeading => "Per 100,000 residents (derived from the 2020 census population)",
            NoPopulation => "no population figure",
            Sources => "Sources",
            DataCsv => "Chart data (CSV)",
            ImageSvg => "Image (SVG)",
            Embed => "Embed",
            EmbedCode => "Embed this chart",
            EmbedHelp => "Copy this code into your page. Its script fits the frame to the chart; where scripts are not allowed, the frame keeps the height given, which holds the whole chart.",
            ViewOnSite => "Full page with sources",
            ShowNumbers => "The numbers in this chart",
            Tier => "Tier",
            Category => "Category",
            Targets => "Targets",
            CurrentFigures => "Current figures",
            NumberOfFigures => "Number of figures",
            Period => "Period",
        },
        Lang::Zh => match word {
            Target => "目标",
            Current => "现状",
            PerYear => "每年",
            Total => "总量",
            Place => "地区",
            Figure => "指标",
            Type => "类型",
            Value => "数值",
            Date => "期限或日期",
            Per100k => "每10万常住人口（推算）",
            Per100kShort => "每10万常住人口",
            Per100kHeading => "每10万常住人口（按2020年人口普查常住人口推算）",
            NoPopulation => "无人口数字",
            Sources => "来源",
            DataCsv => "图表数据（CSV）",
            ImageSvg => "图片（SVG）",
            Embed => "嵌入",
            EmbedCode => "嵌入此图表",
            EmbedHelp => "将以下代码复制到您的网页。其中的脚本使框架高度随图表调整；不允许脚本的网页上，框架保持所设高度，足以容纳整个图表。",
            ViewOnSite => "完整页面及来源",
            ShowNumbers => "图表中的数字",
            Tier => "层级",
            Category => "类别",
            Targets => "目标",
            CurrentFigures => "现状数字",
            NumberOfFigures => "数字个数",
            Period => "期限",
        },
    }
}

pub fn kind(k: FigureKind, lang: Lang) -> &'static str {
    match k {
        FigureKind::Target => w(W::Target, lang),
        FigureKind::Status => w(W::Current, lang),
    }
}

pub fn per(p: Per, lang: Lang) -> &'static str {
    match p {
        Per::Year => w(W::PerYear, lang),
        Per::Total => w(W::Total, lang),
    }
}

pub fn category(c: Category, lang: Lang) -> &'static str {
    use Category::*;
    match (c, lang) {
        (Workforce, Lang::En) => "Workforce",
        (Education, Lang::En) => "Education",
        (Training, Lang::En) => "Training",
        (Recognition, Lang::En) => "Recognition and honours",
        (Competitions, Lang::En) => "Competitions",
        (Institutions, Lang::En) => "Institutions",
        (Funding, Lang::En) => "Funding and pay",
        (Workforce, Lang::Zh) => "人才队伍",
        (Education, Lang::Zh) => "教育",
        (Training, Lang::Zh) => "培训",
        (Recognition, Lang::Zh) => "评价与荣誉",
        (Competitions, Lang::Zh) => "竞赛",
        (Institutions, Lang::Zh) => "平台与机构",
        (Funding, Lang::Zh) => "资金与待遇",
    }
}

/// The Chinese name of a rung of the 一十百千万 ladders.
pub fn tier_numeral(tier: u32) -> Option<&'static str> {
    match tier {
        1 => Some("一"),
        10 => Some("十"),
        100 => Some("百"),
        1000 => Some("千"),
        10000 => Some("万"),
        _ => None,
    }
}

/// How list items are joined in running text.
pub fn list_sep(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ", ",
        Lang::Zh => "、",
    }
}

pub fn clause_sep(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "; ",
        Lang::Zh => "；",
    }
}
