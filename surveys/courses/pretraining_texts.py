"""The pre-training questionnaire's own texts (the competency statements
come from the needs questionnaire), in the six UN languages. All but English
are draft translations for expert review, as the generated form says."""

TEXTS = {
    "participant": {
        "en": "About you", "fr": "Vous concernant", "es": "Sus datos",
        "ar": "معلومات عنكم", "ru": "О Вас", "zh": "关于您",
    },
    "competencies": {
        "en": "The course's competencies", "fr": "Les compétences du cours",
        "es": "Las competencias del curso", "ar": "كفاءات الدورة التدريبية",
        "ru": "Компетенции, которым посвящен курс", "zh": "本课程涉及的能力",
    },
    "prerequisites": {
        "en": "Before this course", "fr": "Avant ce cours", "es": "Antes de este curso",
        "ar": "قبل هذه الدورة التدريبية", "ru": "До начала курса", "zh": "参加本课程之前",
    },
    "role": {
        "en": "What is your role?", "fr": "Quelle est votre fonction ?",
        "es": "¿Cuál es su función?", "ar": "ما هي وظيفتكم؟", "ru": "Какова Ваша должность?",
        "zh": "您的职务是什么？",
    },
    "tools": {
        "en": "Which tools and systems do you use in this work (software, hardware, databases)?",
        "fr": "Quels outils et systèmes utilisez-vous pour ce travail (logiciels, matériel, "
        "bases de données) ?",
        "es": "¿Qué herramientas y sistemas utiliza en este trabajo (programas informáticos, "
        "equipos, bases de datos)?",
        "ar": "ما الأدوات والنظم التي تستخدمونها في هذا العمل (البرمجيات والمعدات وقواعد "
        "البيانات)؟",
        "ru": "Какие инструменты и системы Вы используете в этой работе (программное "
        "обеспечение, оборудование, базы данных)?",
        "zh": "您在这项工作中使用哪些工具和系统（软件、硬件、数据库）？",
    },
    "prior_training": {
        "en": "Have you been trained in this area before?",
        "fr": "Avez-vous déjà été formé(e) dans ce domaine ?",
        "es": "¿Ha recibido capacitación en esta esfera anteriormente?",
        "ar": "هل سبق أن تلقيتم تدريبا في هذا المجال؟",
        "ru": "Проходили ли Вы ранее обучение в этой области?",
        "zh": "您以前是否接受过这方面的培训？",
    },
    "prior_training_detail": {
        "en": "Which training, when, and by whom?", "fr": "Quelle formation, quand, et par qui ?",
        "es": "¿Qué capacitación, cuándo y quién la impartió?",
        "ar": "ما هو التدريب، ومتى، ومن قدمه؟", "ru": "Какое обучение, когда и кем проводилось?",
        "zh": "接受过何种培训、何时、由谁提供？",
    },
    "certifications": {
        "en": "Which certifications do you hold?", "fr": "Quelles certifications détenez-vous ?",
        "es": "¿Qué certificaciones posee?", "ar": "ما الشهادات المهنية التي تحملونها؟",
        "ru": "Какие сертификаты у Вас имеются?", "zh": "您持有哪些认证？",
    },
    "equipment": {
        "en": "What equipment does your unit have for this work?",
        "fr": "De quel équipement votre unité dispose-t-elle pour ce travail ?",
        "es": "¿De qué equipos dispone su unidad para este trabajo?",
        "ar": "ما المعدات المتاحة لوحدتكم لأداء هذا العمل؟",
        "ru": "Каким оборудованием для этой работы располагает Ваше подразделение?",
        "zh": "贵单位有哪些用于这项工作的设备？",
    },
    "prerequisite": {
        "en": "Have you completed {course}, or equivalent training?",
        "fr": "Avez-vous suivi {course}, ou une formation équivalente ?",
        "es": "¿Ha completado {course} o una capacitación equivalente?",
        "ar": "هل أتممتم {course} أو تدريبا معادلا له؟",
        "ru": "Прошли ли Вы курс {course} или равноценное обучение?",
        "zh": "您是否已完成{course}或同等培训？",
    },
    "yes": {"en": "Yes", "fr": "Oui", "es": "Sí", "ar": "نعم", "ru": "Да", "zh": "是"},
    "no": {"en": "No", "fr": "Non", "es": "No", "ar": "لا", "ru": "Нет", "zh": "否"},
}  # fmt: skip
