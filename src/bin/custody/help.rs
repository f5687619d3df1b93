//! The command line in the language of the run: `--help`, usage, completions, the manual page
//! and clap's own errors.
//!
//! The derive structs in `cli/` keep the English texts (their doc comments). For Chinese, the
//! built command is walked and every text is replaced from the tables below, keyed by command
//! path and argument id, the way rage feeds its catalogue to clap before parsing: the language
//! is known before the command line is parsed (`main.rs`). A command or argument without a
//! Chinese text fails `every_command_and_argument_has_a_chinese_text`, which names it.

use clap::builder::StyledStr;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, Command};
use custody::i18n::Lang;

/// What each command does, keyed by its path (`""` for `custody` itself).
const ABOUT: &[(&str, &str)] = &[
    ("", "试卷保密交接台账：每一次交接都由两人共同签名"),
    (
        "keygen",
        "生成个人签名密钥（ID.key，受口令保护）及其公钥（ID.pub）",
    ),
    ("init", "创建台账：创建条目由全体创始管理员共同签名"),
    ("enroll", "登记持钥人（两名管理员共同签名）"),
    (
        "assign",
        "记录谁在哪个岗位：场次的主考和各考场监考员，或保密室的值守人员",
    ),
    (
        "assign site",
        "某场次在一个考点的岗位：主考及各考场监考员（该考点主考 + 一名监督员，或两名管理员共同签名）",
    ),
    (
        "assign duty",
        "一段时间内在保密室或某个保密柜值守的保管员和监督员（两名管理员共同签名）",
    ),
    (
        "void",
        "作废试卷：发现泄密后作废某场次的试卷，改为启用该场次的备用卷（两名管理员）",
    ),
    (
        "postpone",
        "推迟场次：试卷已领取后推迟场次；原定时间仍可查看（两名管理员）",
    ),
    ("manifest", "印制清单：领取时据以核对的印制或省级清单"),
    (
        "manifest import",
        "导入印制清单（CSV：bag_id, seal, count, session, site, room），由保管员和监督员共同签名；此后每次领取都据此核对",
    ),
    (
        "grant",
        "给已登记的持钥人增授一个角色（两名管理员共同签名）：同一密钥，同一人",
    ),
    (
        "revoke",
        "吊销持钥人的密钥（两名管理员共同签名）；从该条起不再接受此密钥",
    ),
    ("schedule", "排定（或调整）考试场次（两名管理员共同签名）"),
    (
        "policy",
        "显示现行规则，或变更规则（两名管理员签署，延迟生效）",
    ),
    ("policy show", "显示现行规则（及等待生效的变更）"),
    (
        "policy set",
        "用 TOML 文件变更规则（两名管理员）；按现行规则的延迟生效",
    ),
    ("record", "记录一个共同签名的保管事件"),
    (
        "record collect",
        "领取：密封袋从上级进入本县保管（保管员 + 监督员）",
    ),
    (
        "record store",
        "入库：密封袋放入指定保密柜（保管员 + 监督员）",
    ),
    (
        "record withdraw",
        "出库：密封袋从保密柜取出（保管员 + 监督员）",
    ),
    ("record inspect", "巡查：就地核对封条（保管员 + 监督员）"),
    (
        "record dispatch",
        "运送：密封袋随指定押运员出发（从保密室：保管员 + 押运员；从考点：主考 + 押运员）",
    ),
    (
        "record arrive",
        "到达交接：考点接收密封袋并核对封条（主考 + 押运员）",
    ),
    (
        "record open",
        "启封：在所属考场启封（主考 + 监考员，或两名监考员）",
    ),
    (
        "record seal",
        "回收封装：清点答卷并封入新密封袋（两名监考员）",
    ),
    (
        "record return",
        "返还：密封袋回到保密室并核对封条（保管员 + 押运员）",
    ),
    (
        "record release",
        "移交：密封袋离开本台账保管，如送往阅卷中心（管理员 + 保管员）",
    ),
    (
        "record incident",
        "异常：封条破损、数量不符、丢失或损坏、启用备用卷（任意两名持钥人）",
    ),
    (
        "record reseal",
        "重新加封：考试机构给封条破损的密封袋加上新封条（管理员 + 保管员）",
    ),
    (
        "record cabinet",
        "登记保密柜：双人双锁的保密柜及其所在地点，保密室或某个考点（两名管理员）",
    ),
    (
        "record correct",
        "更正：改正先前条目中抄错的条码、封条号或份数；原记录和更正都保留（保管员 + 监督员）",
    ),
    (
        "record handover",
        "押运交接：途中更换押运员，交出和接手的押运员共同签名（押运员 + 押运员）",
    ),
    (
        "draft",
        "把事件准备成草稿文件，在其他电脑上共同签名（custody cosign）后追加（custody submit）",
    ),
    ("log", "列出台账的条目"),
    (
        "bag",
        "一个密封袋的全过程：每个事件、地点、时间、签名人、封条、异常和更正",
    ),
    (
        "status",
        "每个密封袋现在的位置；加 --session 时为按考点、考场的核对表",
    ),
    ("show", "显示一个条目的全部内容"),
    ("verify", "仅凭日志审计台账；发现问题时退出码为 1"),
    ("reindex", "根据日志重建索引"),
    ("cosign", "在任何有名册文件的电脑上为草稿加一个共同签名"),
    ("submit", "草稿的全部共同签名人签名后，将其追加到台账"),
    (
        "checkpoint",
        "每日结账：两名管理员签署台账当前状态，并给出抄入登记簿的一行",
    ),
    (
        "prove",
        "一个条目的包含证明（c2sp.org/tlog-proof），交给交接双方",
    ),
    (
        "receipt",
        "一个条目的交接单：供小票打印机的文本，或带二维码和手写签名栏的一页 A4 HTML 文件",
    ),
    ("keys", "台账密钥和每位持钥人的密钥及其指纹"),
    (
        "completions",
        "输出根据本命令行生成的 shell 补全脚本（bash、zsh 或 fish）",
    ),
    ("man", "输出根据本命令行生成的手册页（roff 格式）"),
    ("roster", "显示名册，或连同规则导出给没有台账的电脑"),
    (
        "export",
        "为审计人写出一个自包含文件：日志及其检查点，不含任何密钥",
    ),
    ("backup", "写出导出文件及台账的两项密钥，以口令加密"),
    ("restore", "根据备份重建可用的台账，先按所持检查点审计备份"),
];

/// What each argument means, keyed by the path of the command that defines it and its id.
/// `draft EVENT` takes the texts of `record EVENT` (one enum of events serves both), and a
/// global argument is looked up where it is defined.
const ARGS: &[(&str, &str, &str)] = &[
    ("", "ledger", "台账目录。"),
    (
        "",
        "lang",
        "消息、摘要和表格的语言：zh（中文）或 en。不给出时由 LC_ALL、LC_MESSAGES 或 LANG 决定（zh_* 为中文）。--json 输出不随语言改变。",
    ),
    (
        "keygen",
        "id",
        "持钥人编号：1 至 32 个 a-z 0-9 . _ - 字符。",
    ),
    ("keygen", "name", "显示的姓名，例如 王丽。"),
    ("keygen", "out", "写入 ID.key 和 ID.pub 的目录。"),
    (
        "keygen",
        "pass_file",
        "从此文件读取口令（用 --token 时为硬件密钥的用户 PIN），而不在终端询问。",
    ),
    (
        "keygen",
        "token",
        "在此 PKCS#11 硬件密钥上生成密钥（RFC 7512 URI，例如 pkcs11:token=zhang）；ID.key 只指明硬件上的密钥，不含秘密。模块取自 URI 的 module-path，否则取 CUSTODY_PKCS11_MODULE。",
    ),
    (
        "init",
        "exam",
        "考试名称，例如 \"2026 年普通高中学业水平合格性考试\"。",
    ),
    ("init", "tz", "考试所在的 IANA 时区。"),
    (
        "init",
        "founders",
        "一名创始管理员的 .pub 文件；给出两个或更多（建议三个）。",
    ),
    (
        "init",
        "founder_persons",
        "每位创始管理员的工号或身份证号，按 --founder 的顺序（不给出时询问）。",
    ),
    (
        "init",
        "founder_key_kinds",
        "每位创始管理员的密钥类型，file 或 token，按 --founder 的顺序（不给出时不登记）。",
    ),
    (
        "init",
        "policy",
        "创建时的规则，TOML 文件（见 custody policy show --toml）；不给出时使用默认规则。",
    ),
    ("enroll", "public", "新持钥人的 .pub 文件。"),
    (
        "enroll",
        "person",
        "工号或身份证号（不给出时询问，以免留在 shell 历史中）。",
    ),
    (
        "enroll",
        "roles",
        "角色：admin 管理员、custodian 保管员、supervisor 监督员、escort 押运员、police 公安、chief_examiner 主考、invigilator 监考员。",
    ),
    ("enroll", "valid_from", "密钥有效期的开始（RFC 3339）。"),
    ("enroll", "valid_until", "密钥有效期的结束（RFC 3339）。"),
    (
        "enroll",
        "key_kind",
        "密钥的保存方式，file 或 token：签入登记条目，由 roster、keys 和审计显示，并按规则的 tokens_required 核对。",
    ),
    ("assign site", "session", "场次。"),
    ("assign site", "site", "考点。"),
    ("assign site", "chief", "该场次本考点的主考（持钥人编号）。"),
    (
        "assign site",
        "rooms",
        "考场及其监考员，写作 考场=编号[,编号...]；每个考场给一次。",
    ),
    ("assign duty", "cabinet", "保密柜；不给出时指整个保密室。"),
    (
        "assign duty",
        "from",
        "值守开始时间（RFC 3339；不带时差时按考试时区）。",
    ),
    ("assign duty", "until", "值守结束时间。"),
    (
        "assign duty",
        "custodians",
        "值守的保管员（持钥人编号）；每人给一次。",
    ),
    (
        "assign duty",
        "supervisors",
        "值守的监督员（持钥人编号）；每人给一次。",
    ),
    ("void", "session", "试卷被作废的场次（改为启用其备用卷）。"),
    ("void", "note", "原因，例如发现的泄密情况。"),
    ("postpone", "session", "推迟的场次。"),
    (
        "postpone",
        "start",
        "新的开始时间（RFC 3339；不带时差时按考试时区）。",
    ),
    ("postpone", "end", "新的结束时间。"),
    ("postpone", "note", "推迟原因。"),
    (
        "manifest import",
        "file",
        "印制清单，带表头行的 UTF-8 CSV 文件。",
    ),
    ("grant", "id", "增授角色的持钥人。"),
    (
        "grant",
        "role",
        "角色：admin 管理员、custodian 保管员、supervisor 监督员、escort 押运员、police 公安、chief_examiner 主考、invigilator 监考员。",
    ),
    ("revoke", "id", "要吊销的持钥人。"),
    ("revoke", "reason", "原因，几个字即可。"),
    ("schedule", "session", "场次编号，例如 yuwen-0607。"),
    ("schedule", "subject", "科目，例如 语文。"),
    (
        "schedule",
        "start",
        "开始时间（RFC 3339；不带时差时为考试时区）。",
    ),
    ("schedule", "end", "结束时间。"),
    (
        "schedule",
        "incident",
        "违反规则的调整期限时，说明临时调整的原因。",
    ),
    (
        "policy show",
        "toml",
        "输出 TOML，即 policy set 读取的格式。",
    ),
    ("policy set", "file", "新规则，TOML 格式。"),
    (
        "record collect",
        "from",
        "交出密封袋的单位；默认为省教育考试院，按命令的语言保存（--lang zh 时为 省教育考试院）。",
    ),
    (
        "record collect",
        "kind",
        "清单中未写类别的密封袋的默认类别：question_papers 试卷、blank_answer_sheets 空白答题卡、spare_papers 备用卷。",
    ),
    ("record collect", "session", "未写场次的密封袋的默认场次。"),
    ("record collect", "site", "默认的目的考点。"),
    ("record collect", "room", "默认的目的考场。"),
    ("record store", "cabinet", "保密柜。"),
    ("record withdraw", "cabinet", "保密柜。"),
    ("record dispatch", "to", "目的考点。"),
    ("record dispatch", "to_room", "送回保密室。"),
    (
        "record dispatch",
        "escorts",
        "随行押运员的持钥人编号；每人给一次。",
    ),
    ("record arrive", "site", "密封袋到达的考点。"),
    ("record open", "site", "考点。"),
    ("record open", "room", "考场。"),
    ("record seal", "session", "答卷所属的场次。"),
    ("record seal", "site", "考点。"),
    ("record seal", "room", "考场。"),
    ("record release", "to", "接收密封袋的单位，例如 阅卷中心。"),
    (
        "record incident",
        "kind",
        "broken_seal 封条破损、count_mismatch 数量不符、lost 丢失、damaged 损坏、spare_used 启用备用卷或 other 其他。",
    ),
    ("record incident", "note", "发生了什么。"),
    (
        "record incident",
        "cabinet",
        "发生异常的保密柜（钥匙丢失、锁被撬或更换）：柜内每个密封袋在被巡查列出前均视为暴露；此时可不给 --bag。",
    ),
    (
        "record inspect",
        "cabinet",
        "巡查的保密柜：须列出台账记为在此柜中的每个密封袋。不给出时为抽查，只核对所列的密封袋。",
    ),
    ("record reseal", "bag", "密封袋条码。"),
    ("record reseal", "old_seal", "现场看到的袋上封条号。"),
    ("record reseal", "new_seal", "考试机构的新封条号。"),
    ("record reseal", "note", "重新加封的原因，以及用谁的封条。"),
    (
        "record reseal",
        "incident",
        "记录确实发生的违规（如在保密室外重新加封），附此说明。",
    ),
    (
        "record cabinet",
        "cabinet",
        "保密柜名称，与 store --cabinet 所用的一致。",
    ),
    (
        "record cabinet",
        "site",
        "保密柜所在的考点；不给出时在保密室内。",
    ),
    ("record correct", "entry", "有错误的条目。"),
    ("record correct", "bag", "该条目所记录的密封袋。"),
    ("record correct", "barcode", "正确的条码。"),
    ("record correct", "seal", "正确的封条号。"),
    ("record correct", "count", "正确的份数。"),
    ("record correct", "note", "更正原因。"),
    (
        "record handover",
        "from",
        "交出密封袋的押运员编号；每人给一次。",
    ),
    (
        "record handover",
        "to",
        "接手密封袋的押运员编号；每人给一次。",
    ),
    ("draft", "out", "草稿写到哪里（不覆盖已有文件）。"),
    (
        "draft",
        "cosigners",
        "必须共同签名的持钥人编号；每位共同签名人给一次。",
    ),
    ("log", "bag", "只列出涉及此密封袋的条目。"),
    (
        "log",
        "kind",
        "只列出此类事件的条目（collect、open、enroll 等）。",
    ),
    ("log", "since", "只列出事件时间不早于此时间的条目。"),
    ("log", "until", "只列出事件时间不晚于此时间的条目。"),
    ("bag", "id", "密封袋条码。"),
    ("status", "session", "只看此场次：核对表。"),
    ("status", "site", "只看此考点。"),
    (
        "verify",
        "trust",
        "你信任的创建条目哈希（init 以 --json 输出的 genesis_hash）；不给出时不核对创建条目。可重复：有多个包时，每本台账的创建条目须是其中之一。",
    ),
    (
        "verify",
        "checkpoints",
        "你持有的检查点（签名注记）：台账必须恰好包含那棵树，之后只能增长。可重复。",
    ),
    (
        "verify",
        "proofs",
        "包含证明（custody prove）：其条目必须在台账中。可重复。",
    ),
    (
        "verify",
        "bundle",
        "审计导出或备份文件（custody export）而非台账目录，不需要其他文件。可重复：一次并行审计多个县的导出，给出一份合并报告和一个退出码。",
    ),
    (
        "verify",
        "register",
        "从纸质登记簿抄下的一行 \"条数 代码\"（record、receipt、init 和 checkpoint 输出的那一行）：只核对台账前若干条正是登记时的内容（一致时退出码 0，不一致时 1）。",
    ),
    ("verify", "json", "以 JSON 输出报告。"),
    (
        "verify",
        "html",
        "同时把报告写成一个自包含的 HTML 页面，含每个密封袋的时间线（不覆盖已有文件）。退出码仍为审计结果。",
    ),
    ("cosign", "file", "草稿文件；加上新签名后重写。"),
    ("cosign", "key", "共同签名人的 .key 文件。"),
    ("cosign", "pass_file", "从此文件读取口令，而不在终端询问。"),
    (
        "cosign",
        "roster",
        "用 custody roster --out 导出的名册文件（姓名、角色、密钥）。",
    ),
    ("submit", "file", "已全部签名的草稿文件。"),
    (
        "checkpoint",
        "keys",
        "一名管理员的 .key 文件；给两次（两名不同的管理员）。",
    ),
    ("checkpoint", "pass_files", "口令文件，顺序与 --sign 相同。"),
    (
        "checkpoint",
        "out",
        "同时把签署的检查点写到这里（不覆盖已有文件）。",
    ),
    ("prove", "out", "证明写到哪里（不覆盖已有文件）。"),
    (
        "receipt",
        "html",
        "把交接单写成一页 A4 HTML 文件，而不是直接输出（不覆盖已有文件）。",
    ),
    (
        "keys",
        "note_format",
        "输出签名注记验证公钥（名称+哈希+密钥），每行一个，供其他工具使用。",
    ),
    ("completions", "shell", "shell 的种类。"),
    (
        "roster",
        "out",
        "把公开名册和规则写到此文件（不覆盖已有文件）。",
    ),
    ("export", "out", "导出文件写到哪里（不覆盖已有文件）。"),
    ("backup", "out", "备份文件写到哪里（不覆盖已有文件）。"),
    (
        "backup",
        "pass_file",
        "从此文件读取备份的口令，而不在终端询问两次。",
    ),
    ("restore", "file", "备份文件（custody backup 生成）。"),
    (
        "restore",
        "checkpoints",
        "你持有的检查点（签名注记）：恢复的台账必须包含那棵树。可重复。",
    ),
    (
        "restore",
        "pass_file",
        "从此文件读取备份的口令，而不在终端询问。",
    ),
    (
        "restore",
        "trust",
        "你信任的创建条目哈希（init 以 --json 输出的 genesis_hash）。",
    ),
];

/// Arguments that many commands share (the signing flags, the bag flags, `--json`), by id and
/// English text: a command whose English says something else needs its own line in [`ARGS`].
const SHARED: &[(&str, &str, &str)] = &[
    (
        "keys",
        "A co-signer's .key file; give once per co-signer",
        "一名共同签名人的 .key 文件；每位共同签名人给一次。",
    ),
    (
        "pass_files",
        "Passphrase files, in the same order as --sign (otherwise asked on the terminal)",
        "口令文件，顺序与 --sign 相同（不给出时在终端询问）。",
    ),
    (
        "at",
        "When the event happened (RFC 3339; without an offset, the exam's zone). Default: now",
        "事件发生的时间（RFC 3339；不带时差时为考试时区）。默认：现在。",
    ),
    ("json", "Print the receipt as JSON", "以 JSON 输出回执。"),
    ("json", "Print JSON", "输出 JSON。"),
    (
        "bags",
        "A bag as BARCODE[:SEAL[:COUNT]]; repeat for each bag",
        "一个密封袋，写作 条码[:封条号[:份数]]；每袋给一次。",
    ),
    (
        "manifest",
        "A CSV manifest with a header row: bag_id, and any of seal, count, kind, session, site, room",
        "带表头的 CSV 清单：bag_id，以及 seal、count、kind、session、site、room 中的任意几列。",
    ),
    (
        "bags_from",
        "Read bags from standard input (`-`), one per line as `ID [SEAL [COUNT]]`: scan the bag, then its seal",
        "从标准输入（-）读取密封袋，每行 条码 [封条号 [份数]]：先扫密封袋，再扫封条。",
    ),
    (
        "incident",
        "Record a violation that really happened (a broken seal, an early opening): the event is accepted with this note and the audit always reports it",
        "记录确实发生的违规（封条破损、提前启封）：事件连同此说明被接受，审计总会报告它。",
    ),
    ("seq", "The entry's sequence number", "条目序号。"),
    (
        "kdf",
        "Key-derivation cost: `default`, or `low-cost` for tests and demos only",
        "密钥派生强度：default，或只用于测试和演示的 low-cost。",
    ),
];

/// Value names (`--sign <KEYFILE>`), by their English.
const VALUES: &[(&str, &str)] = &[
    ("LEDGER", "台账目录"),
    ("zh|en", "zh|en"),
    ("ID", "编号"),
    ("ROOM=ID,ID", "考场=编号,编号"),
    ("ROLE", "角色"),
    ("NAME", "姓名"),
    ("OUT", "输出"),
    ("PASS_FILE", "口令文件"),
    ("URI", "URI"),
    ("KDF", "强度"),
    ("EXAM", "考试名称"),
    ("TZ", "时区"),
    ("PUBFILE", "公钥文件"),
    ("NUMBER", "号码"),
    ("KIND", "类型"),
    ("FILE", "文件"),
    ("KEYFILE", "密钥文件"),
    ("TIME", "时间"),
    ("PERSON", "号码"),
    ("ROLES", "角色"),
    ("VALID_FROM", "开始时间"),
    ("VALID_UNTIL", "结束时间"),
    ("REASON", "原因"),
    ("SESSION", "场次"),
    ("SUBJECT", "科目"),
    ("START", "开始时间"),
    ("END", "结束时间"),
    ("INCIDENT", "说明"),
    ("TEXT", "说明"),
    ("FROM", "交出单位"),
    ("SITE", "考点"),
    ("ROOM", "考场"),
    ("CABINET", "保密柜"),
    ("TO", "接收方"),
    ("SEQ", "序号"),
    ("BAG", "密封袋"),
    ("BARCODE", "条码"),
    ("SEAL", "封条号"),
    ("OLD_SEAL", "原封条号"),
    ("NEW_SEAL", "新封条号"),
    ("COUNT", "份数"),
    ("NOTE", "说明"),
    ("SINCE", "时间"),
    ("UNTIL", "时间"),
    ("GENESIS_HASH", "创建条目哈希"),
    ("SIZE CODE", "条数 代码"),
    ("ROSTER", "名册文件"),
    ("SHELL", "SHELL"),
    ("ID[:SEAL[:COUNT]]", "条码[:封条号[:份数]]"),
    ("FILE.csv", "文件.csv"),
    ("-", "-"),
];

/// Examples whose English words need Chinese ones; the others only change their heading.
const EXAMPLES: &[(&str, &str)] = &[
    (
        "",
        "示例：\n  custody --ledger ./ledger verify --register \"1 K7Q2-9XWD-3MFA-PQ8R-T2ZB\"  # init 输出的登记簿一行",
    ),
    (
        "revoke",
        "示例：\n  custody revoke --id zhao --reason \"密钥文件丢失\" --sign admin1.key --sign admin2.key",
    ),
    (
        "policy set",
        "示例：\n  custody policy show --toml > policy.toml   # 编辑后：\n  custody policy set --file policy.toml --sign admin1.key --sign admin2.key",
    ),
    (
        "record incident",
        "示例：\n  custody record incident --kind broken_seal --bag QP-0001 --note \"到达时封条撕裂\" --sign chief1.key --sign esc1.key",
    ),
    (
        "record correct",
        "示例：\n  custody record correct --entry 12 --bag QP-0001 --seal S1010 --note \"误录为 S1001\" --sign cust1.key --sign sup1.key",
    ),
    (
        "verify",
        "示例：\n  custody verify --register \"1 K7Q2-9XWD-3MFA-PQ8R-T2ZB\"\n  custody verify --trust <创建条目哈希>",
    ),
    (
        "export",
        "示例：\n  custody export --out ledger-2026-06-07.custody\n  custody verify --bundle ledger-2026-06-07.custody --trust <创建条目哈希>",
    ),
];

/// The flags and the `help` command that clap adds itself.
const BUILT_IN: &[(&str, &str)] = &[
    ("help", "打印帮助"),
    ("version", "打印版本"),
    ("subcommand", "打印这些命令的帮助"),
];
const HELP_ABOUT: &str = "打印本帮助或指定命令的帮助";

const TEMPLATE: &str = "{before-help}{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// The command line, built, with its texts in `lang`.
pub fn command(lang: Lang) -> Command {
    let mut cmd = <crate::cli::Cli as clap::CommandFactory>::command();
    // Built first, so that the flags and commands clap adds itself are there to translate.
    cmd.build();
    match lang {
        Lang::En => cmd,
        Lang::Zh => localize(cmd, "", &mut Vec::new()),
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path} {name}")
    }
}

/// The table's key for a command path: `draft EVENT` reads as `record EVENT`, and the copies
/// of the tree under `help` as the commands they copy.
fn table_path(path: &str) -> String {
    let words: Vec<&str> = path
        .split(' ')
        .filter(|w| !w.is_empty() && *w != "help")
        .collect();
    match words.as_slice() {
        ["draft", event] => format!("record {event}"),
        _ => words.join(" "),
    }
}

/// Puts the Chinese texts into `cmd` and, recursively, its subcommands; what has none is added
/// to `missing`.
fn localize(cmd: Command, path: &str, missing: &mut Vec<String>) -> Command {
    let key = table_path(path);
    let is_help = path == "help" || path.ends_with(" help");
    let about = if is_help {
        Some(HELP_ABOUT)
    } else {
        lookup(ABOUT, &key)
    };
    if about.is_none() {
        missing.push(format!("command `{path}`: {}", text(cmd.get_about())));
    }
    let example = lookup(EXAMPLES, &key).map(str::to_string).or_else(|| {
        cmd.get_after_help()
            .map(|h| h.to_string().replacen("Example:", "示例：", 1))
    });
    let mut cmd = match about {
        // Without a Chinese text (the tests below then fail), the English one stays.
        Some(about) => cmd.about(about).long_about(None::<&str>),
        None => cmd,
    };
    cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令");
    if let Some(example) = example {
        cmd = cmd.after_help(example);
    }
    cmd = cmd.mut_args(|arg| localize_arg(arg, path, missing));
    cmd.mut_subcommands(|sub| {
        let sub_path = join(path, sub.get_name());
        localize(sub, &sub_path, missing)
    })
}

fn lookup(table: &[(&str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, t)| *t)
}

fn text(s: Option<&StyledStr>) -> String {
    s.map(ToString::to_string).unwrap_or_default()
}

/// The Chinese help of an argument of the command at `path`.
fn arg_text(arg: &Arg, path: &str) -> Option<&'static str> {
    let id = arg.get_id().as_str();
    if let Some(t) = lookup(BUILT_IN, id) {
        return Some(t);
    }
    let mut path = path.to_string();
    loop {
        let key = table_path(&path);
        if let Some((_, _, t)) = ARGS.iter().find(|(p, i, _)| *p == key && *i == id) {
            return Some(t);
        }
        // A global argument is defined further up.
        if !arg.is_global_set() || path.is_empty() {
            break;
        }
        path = path
            .rsplit_once(' ')
            .map(|(up, _)| up.to_string())
            .unwrap_or_default();
    }
    let english = text(arg.get_help());
    SHARED
        .iter()
        .find(|(i, en, _)| *i == id && *en == english)
        .map(|(_, _, t)| *t)
}

fn localize_arg(arg: Arg, path: &str, missing: &mut Vec<String>) -> Arg {
    let help = arg_text(&arg, path);
    let name = arg
        .get_long()
        .map(|l| format!("--{l}"))
        .unwrap_or_else(|| arg.get_id().to_string());
    if help.is_none() {
        missing.push(format!(
            "argument {name} (id `{}`) of `{path}`: {}",
            arg.get_id(),
            text(arg.get_help())
        ));
    }
    let mut help = help.map_or_else(|| text(arg.get_help()), str::to_string);
    // clap writes `[default: …]`, `[env: …]` and `[possible values: …]` in English: the same,
    // in Chinese, inside the help.
    let mut notes = Vec::new();
    if arg.get_action().takes_values() && !arg.is_hide_default_value_set() {
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        if !defaults.is_empty() {
            notes.push(format!("默认：{}", defaults.join(" ")));
        }
    }
    if let Some(env) = arg.get_env().filter(|_| !arg.is_hide_env_set()) {
        notes.push(format!("环境变量：{}", env.to_string_lossy()));
    }
    if !arg.is_hide_possible_values_set() {
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if !values.is_empty() {
            notes.push(format!("可选：{}", values.join("、")));
        }
    }
    if !notes.is_empty() {
        help = format!("{help}［{}］", notes.join("；"));
    }
    let values: Option<Vec<clap::builder::Str>> = arg.get_value_names().map(|names| {
        names
            .iter()
            .map(|n| match lookup(VALUES, n.as_str()) {
                Some(zh) => zh.into(),
                None => {
                    if arg.get_action().takes_values() {
                        missing.push(format!("value name {n} of {name} in `{path}`"));
                    }
                    n.clone()
                }
            })
            .collect()
    });
    let heading = if arg.is_positional() {
        "参数"
    } else {
        "选项"
    };
    let mut arg = arg
        .help(help)
        .long_help(None::<&str>)
        .help_heading(heading)
        .hide_default_value(true)
        .hide_env(true)
        .hide_possible_values(true);
    if let Some(values) = values {
        arg = arg.value_names(values);
    }
    arg
}

/// Help or an error of clap, in `lang`: Chinese is rendered here, English is clap's own.
pub fn render(err: &clap::Error, lang: Lang, color: bool) -> String {
    let kind = err.kind();
    let rendered = |s: StyledStr| {
        if color {
            s.ansi().to_string()
        } else {
            s.to_string()
        }
    };
    if lang == Lang::En {
        return rendered(err.render());
    }
    let zh = match kind {
        // Help and version: clap's text, already in Chinese but for the usage's `[OPTIONS]`.
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => rendered(err.render()),
        _ => error_zh(err),
    };
    // clap puts an ASCII colon after a heading.
    zh.replace("[OPTIONS]", "[选项]")
        .replace("命令:", "命令：")
        .replace("选项:", "选项：")
        .replace("参数:", "参数：")
}

fn string(err: &clap::Error, kind: ContextKind) -> String {
    match err.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// clap's error in Chinese, from its kind and context.
fn error_zh(err: &clap::Error) -> String {
    let arg = string(err, ContextKind::InvalidArg);
    let value = string(err, ContextKind::InvalidValue);
    let mut out = String::from("错误：");
    out.push_str(&match err.kind() {
        ErrorKind::UnknownArgument => format!("无法识别的参数 {arg}"),
        ErrorKind::InvalidSubcommand => format!(
            "无法识别的命令 {}",
            string(err, ContextKind::InvalidSubcommand)
        ),
        ErrorKind::InvalidValue if value.is_empty() => format!("{arg} 需要一个值，但没有给出"),
        ErrorKind::InvalidValue => format!("{arg} 的值 {value} 无效"),
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(err)
                .map(source_zh)
                .unwrap_or_default();
            format!("{arg} 的值 {value:?} 无效{why}")
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::MissingSubcommand => format!(
            "{} 需要一个命令，但没有给出",
            string(err, ContextKind::InvalidSubcommand)
        ),
        ErrorKind::ArgumentConflict => {
            let prior = string(err, ContextKind::PriorArg);
            if prior.is_empty() || prior == arg {
                format!("参数 {arg} 只能给出一次")
            } else {
                format!("参数 {arg} 不能与 {prior} 同时使用")
            }
        }
        ErrorKind::NoEquals => format!("给 {arg} 赋值时需要等号"),
        ErrorKind::TooManyValues => format!("{arg} 的值 {value} 多余"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("{arg} 的值的个数不对")
        }
        ErrorKind::InvalidUtf8 => "参数不是有效的 UTF-8 文本".to_string(),
        _ => err.kind().to_string(),
    });
    for (kind, what) in [
        (ContextKind::ValidValue, "可选"),
        (ContextKind::ValidSubcommand, "命令"),
    ] {
        let valid = string(err, kind);
        if !valid.is_empty() {
            out.push_str(&format!("\n  ［{what}：{valid}］"));
        }
    }
    for (kind, what) in [
        (ContextKind::SuggestedSubcommand, "命令"),
        (ContextKind::SuggestedArg, "参数"),
        (ContextKind::SuggestedValue, "值"),
    ] {
        let similar = string(err, kind);
        if !similar.is_empty() {
            out.push_str(&format!("\n\n  提示：是否想用{what} {similar}？"));
        }
    }
    if let Some(ContextValue::StyledStrs(tips)) = err.get(ContextKind::Suggested) {
        for tip in tips {
            out.push_str(&format!("\n  提示：{tip}"));
        }
    }
    let usage = string(err, ContextKind::Usage);
    if !usage.is_empty() {
        out.push_str("\n\n");
        out.push_str(&usage.replacen("Usage: ", "用法：", 1));
    }
    out.push_str("\n\n更多信息请用 --help。\n");
    out
}

/// Why a value did not parse: our own parsers already speak the language; the standard ones
/// (numbers) do not.
fn source_zh(e: &(dyn std::error::Error + 'static)) -> String {
    if e.downcast_ref::<std::num::ParseIntError>().is_some() {
        "：应为非负整数".to_string()
    } else {
        format!("：{e}")
    }
}

/// The manual page's section names in Chinese.
pub fn man_zh(page: &str) -> String {
    page.lines()
        .map(|line| match line {
            ".SH NAME" => ".SH 名称".to_string(),
            ".SH SYNOPSIS" => ".SH 概要".to_string(),
            ".SH DESCRIPTION" => ".SH 描述".to_string(),
            ".SH OPTIONS" => ".SH 选项".to_string(),
            ".SH EXTRA" => ".SH 示例".to_string(),
            ".SH VERSION" => ".SH 版本".to_string(),
            ".SH AUTHORS" => ".SH 作者".to_string(),
            other => other.replace("[OPTIONS]", "[选项]"),
        })
        .map(|l| l + "\n")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_and_argument_has_a_chinese_text() {
        let mut cmd = <crate::cli::Cli as clap::CommandFactory>::command();
        cmd.build();
        let mut missing = Vec::new();
        localize(cmd, "", &mut missing);
        assert!(
            missing.is_empty(),
            "add these to src/bin/custody/help.rs:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn a_missing_text_is_named() {
        let cmd = Command::new("custody").subcommand(
            Command::new("brand-new")
                .about("Something new")
                .arg(Arg::new("flag").long("flag").help("A new flag")),
        );
        let mut missing = Vec::new();
        localize(cmd, "", &mut missing);
        assert!(
            missing.iter().any(|m| m.contains("command `brand-new`")),
            "{missing:?}"
        );
        assert!(
            missing
                .iter()
                .any(|m| m.contains("--flag") && m.contains("brand-new")),
            "{missing:?}"
        );
    }

    #[test]
    fn no_english_is_left_in_the_chinese_help() {
        let mut cmd = command(Lang::Zh);
        for path in [
            vec![],
            vec!["record", "collect"],
            vec!["verify"],
            vec!["completions"],
        ] {
            let mut sub = &mut cmd;
            for name in &path {
                sub = sub.find_subcommand_mut(name).unwrap();
            }
            let help = sub.render_long_help().to_string();
            for english in [
                "Usage",
                "Options",
                "Commands",
                "Arguments",
                "Print",
                "default:",
                "possible values",
                "Example",
            ] {
                assert!(!help.contains(english), "{english:?} in {path:?}:\n{help}");
            }
        }
    }
}
