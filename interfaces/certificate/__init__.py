"""The volunteer service record certificate (志愿服务记录证明): its figures, its signed
statement, the PDF, and the public page that checks a statement."""
