//! The planted cast and timeline shared by the platform writers: links, times and texts that
//! must agree across platforms.

use crate::gen::at;

/// A Telegram private invite link (the invite hash is made up).
pub(crate) const TG_INVITE: &str = "https://t.me/+Qm9XcL2vTzE4NjU0";
/// An invite to the Rocket.Chat server the outlet migrates to (`rc.example.org`, a reserved
/// example domain).
pub(crate) const RC_INVITE: &str = "https://rc.example.org/invite/k7Hq2N";

/// The outlet's four flagship posts (Telegram channel and X at about the same time):
/// 2, 4, 7 and 10 October at 16:00 UTC. (`at(day, ...)` counts days from 1 October.)
pub(crate) const OUTLET_DROPS: [i64; 4] = [
    at(1, 16, 0, 0),
    at(3, 16, 0, 0),
    at(6, 16, 0, 0),
    at(9, 16, 0, 0),
];

pub(crate) const DROP_TEXTS: [&str; 4] = [
    "📢 وكالة أعماق | [نص دعائي بديل لأغراض الاختبار - الإصدار ١] #الدولة_الإسلامية #أعماق",
    "أعماق | إصدار مرئي جديد [عنوان بديل ٢] … باقية وتتمدد #أعماق #الدولة_الإسلامية",
    "صحيفة النبأ - العدد ٥١٢ [محتوى بديل لأغراض الاختبار] #النبأ #الدولة_الإسلامية",
    "مؤسسة ناشر | [بيان بديل لأغراض الاختبار ٤] دولة الخلافة باقية #ناشر #باقية_وتتمدد",
];

/// The outlet announces its backup channel and Rocket.Chat server: 5 October 20:00 UTC.
pub(crate) const MIGRATION: i64 = at(4, 20, 0, 0);

pub(crate) fn migration_text() -> String {
    format!(
        "📌 قناتنا الاحتياطية 👇\n{TG_INVITE}\nوسيرفرنا الجديد على روكت شات 👇\n{RC_INVITE}\n#أعماق"
    )
}

/// 2026-10-04T23:00Z = 02:00 on 2026-10-05 in Baghdad.
pub(crate) const SOLDIER_LIVE: i64 = at(3, 23, 0, 0);
pub(crate) const SOLDIER_BIO: &str =
    "اني جندي بالفرقة الرابعة عشر - اللواء ٥١ 🇮🇶 خدمتي بسيطرات صلاح الدين، الله يحفظ العراق";
pub(crate) const SOLDIER_LIVE_TEXT: &str =
    "بث مباشر من السيطرة قرب بيجي 🌙 الليلة هادئة والحمد لله #بيجي #الجيش_العراقي";

/// The soldier's Telegram user id, TikTok username and Facebook page id.
pub(crate) const SOLDIER_TG_ID: u64 = 6_843_120_557;
pub(crate) const SOLDIER_TT: &str = "abu_haidar.14";
pub(crate) const SOLDIER_FB_PAGE: u64 = 100_089_231_177_345;

/// The targeted blogger / journalist.
pub(crate) const BLOGGER_X: &str = "rusul_writes";
pub(crate) const BLOGGER_TT: &str = "rusul.writes";
pub(crate) const BLOGGER_NAME: &str = "رسل كاظم | مدوّنة";
pub(crate) const BLOGGER_BIO: &str =
    "مدوّنة وصحفية مستقلة من البصرة ✍️ أكتب عن حقوق الإنسان والخدمات";

/// 30 mentions within five minutes from here: 6 October 18:30 UTC.
pub(crate) const MASS_MENTION: i64 = at(5, 18, 30, 0);
/// The report-style swarm starts here.
pub(crate) const REPORT_SWARM: i64 = at(5, 19, 0, 0);
