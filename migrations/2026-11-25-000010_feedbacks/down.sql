DROP TABLE feedbacks;
